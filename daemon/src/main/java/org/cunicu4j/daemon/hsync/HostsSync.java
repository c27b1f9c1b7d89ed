package org.cunicu4j.daemon.hsync;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.wireguard.Key;

/**
 * Keeps one interface's peers in a hosts file (cunīcu's {@code hsync}): for every address of
 * a peer one line {@code ADDRESS NAME[.DOMAIN]... # cunicu: ifname=IF, ifindex=N, pk=KEY}.
 * Only lines carrying this interface's tag ({@link HostLine#isOurs}) are ever rewritten or
 * removed; other interfaces' lines, cunīcu's lines for other interfaces and every foreign
 * line stay as they are. The format is cunīcu's, so a cunicu4j node taking over from cunīcu
 * replaces that interface's old lines.
 *
 * <p>Each {@link #put}, {@link #remove} and {@link #close} rewrites the file at once (see
 * {@link HostsFile}: atomically by rename, or in place where the file is a bind mount, as
 * {@code /etc/hosts} is in containers). A failed write is logged and counted
 * ({@link #writeFailures()}), never thrown: the daemon carries on, and the next change, or
 * a {@link #sync()}, writes the whole state again. {@link #sync()} also restores lines someone
 * else removed; it writes nothing when the file is already right.
 *
 * <p>Peer names come from the network (a peer's description) or the config: names that are
 * not valid host names are skipped and counted ({@link #rejectedNames()}) so that no name
 * can break or forge a line. A valid name is still a claim, not a fact: nothing here stops a
 * peer from naming itself {@code localhost}, {@code gateway} or another peer's name, nor from
 * announcing an address outside the mesh (a line for {@code 192.0.2.1} makes that address
 * answer to its name). The daemon's wiring must limit both before {@link #put}: addresses to the
 * peer's derived ones (or its allowed IPs), and names to the domain suffix, which should then be
 * set (a peer's description cannot claim an unqualified name when every name gets
 * {@code .DOMAIN}), first come first served among peers.
 *
 * <p>Replacing the file by rename gives it a new inode: its extended attributes, ACLs and
 * SELinux label are not carried over (mode, owner and group are); the new file gets its
 * directory's default label, for {@code /etc/hosts} normally the same {@code net_conf_t}.
 *
 * <p>Owned by the daemon, one per managed interface; thread-safe (methods are synchronized,
 * and all instances in this JVM serialise their file updates).
 */
public final class HostsSync implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostsSync.class.getName());

    /**
     * Settings of the feature (cunīcu's {@code sync_hosts} turns it on; {@code domain}).
     *
     * @param hostsFile the file to keep ({@link #DEFAULT_HOSTS_FILE} on a real system)
     * @param domain a suffix appended to every name ({@code "mesh"} makes {@code alice.mesh}),
     *        with or without leading dot; null or empty for none
     */
    public record Settings(Path hostsFile, String domain) {
        public static final Path DEFAULT_HOSTS_FILE = Path.of("/etc/hosts");

        /** @throws IllegalArgumentException naming the domain when it is not a valid DNS name */
        public Settings {
            Objects.requireNonNull(hostsFile, "hostsFile");
            domain = HostNames.domain(domain);
        }

        /** {@code /etc/hosts} with {@code domain}. */
        public static Settings of(String domain) {
            return new Settings(DEFAULT_HOSTS_FILE, domain);
        }
    }

    /** How the last write replaced the hosts file. */
    public enum WriteMode {
        /** Nothing written: the content was already right. */
        UNCHANGED,
        /** A temporary file renamed over the original (atomic). */
        RENAMED,
        /** Rewritten in place (the fallback; not atomic). */
        IN_PLACE
    }

    private final Settings settings;
    private final String ifname;
    private final int ifindex;
    private final HostsFile file;
    private final Map<Key, Map<InetAddress, Set<String>>> peers = new LinkedHashMap<>();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicLong rejectedNames = new AtomicLong();
    private boolean closed;

    /**
     * @param settings the file and domain
     * @param ifname the interface whose peers these are (the tag's {@code ifname})
     * @param ifindex its kernel index for the tag, or 0 when unknown (then left out)
     */
    public HostsSync(Settings settings, String ifname, int ifindex) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (ifname == null || ifname.isEmpty() || !ifname.chars().allMatch(c -> c > ' ' && c < 127 && c != ',' && c != '#')) {
            throw new IllegalArgumentException("interface name '" + ifname + "' cannot be used in a hosts-file tag");
        }
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.file = new HostsFile(settings.hostsFile());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Sets {@code peer}'s names (each with every one of {@code addresses}) and writes the file.
     * A name not valid as a host name is skipped and counted. An empty address list or no
     * valid name removes the peer's lines.
     */
    public synchronized void put(Key peer, String name, Collection<? extends InetAddress> addresses) {
        put(peer, Map.of(name, addresses));
    }

    /**
     * Sets {@code peer}'s host entries — each name with its addresses, as a peer description's
     * {@code hosts} map carries them — replacing what it had, and writes the file.
     */
    public synchronized void put(Key peer, Map<String, ? extends Collection<? extends InetAddress>> hosts) {
        requirePublic(peer);
        Map<InetAddress, Set<String>> byAddress = new LinkedHashMap<>();
        hosts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (!HostNames.valid(e.getKey())) {
                rejectedNames.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "hsync {0}: peer {1}: ignoring name {2}: not a valid host name",
                        ifname, peer, quote(e.getKey()));
                return;
            }
            String fqdn = settings.domain().isEmpty() ? e.getKey() : e.getKey() + "." + settings.domain();
            for (InetAddress a : e.getValue()) {
                byAddress.computeIfAbsent(withoutZone(a), k -> new LinkedHashSet<>()).add(fqdn);
            }
        });
        if (byAddress.isEmpty()) {
            peers.remove(peer);
        } else {
            peers.put(peer, byAddress);
        }
        write();
    }

    /** Removes {@code peer}'s lines. */
    public synchronized void remove(Key peer) {
        if (peers.remove(peer) != null) {
            write();
        }
    }

    /**
     * Writes the whole state again (restoring lines someone removed); writes nothing when the
     * file is already right.
     *
     * @throws IOException when the file cannot be read or written (also counted)
     */
    public synchronized void sync() throws IOException {
        try {
            file.update(line -> HostLine.isOurs(line, ifname), closed ? List.of() : lines());
        } catch (IOException e) {
            writeFailures.incrementAndGet();
            throw e;
        }
    }

    /** How the last write replaced the file (atomic rename, or in place on a bind mount). */
    public WriteMode lastWrite() {
        return file.lastWrite();
    }

    /** Writes that failed so far. */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** Peer names refused as invalid so far. */
    public long rejectedNames() {
        return rejectedNames.get();
    }

    /** Removes all of this interface's lines (interface removed, daemon shutting down). */
    @Override
    public synchronized void close() {
        closed = true;
        peers.clear();
        write();
    }

    private void write() {
        try {
            sync();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "hsync {0}: cannot update {1}: {2}", ifname, settings.hostsFile(), e.toString());
        }
    }

    private List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Key, Map<InetAddress, Set<String>>> p : peers.entrySet()) {
            for (Map.Entry<InetAddress, Set<String>> a : p.getValue().entrySet()) {
                out.add(HostLine.format(a.getKey(), List.copyOf(a.getValue()), ifname, ifindex, p.getKey()));
            }
        }
        return out;
    }

    private static void requirePublic(Key peer) {
        if (peer == null || peer.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("a peer is named by its public key, not " + (peer == null ? "null" : peer.type()));
        }
    }

    private static InetAddress withoutZone(InetAddress a) {
        if (a instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null)) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // 16 bytes are always a valid address
            }
        }
        return a;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.append(Character.toChars(c));
            }
        });
        return sb.append('"').toString();
    }
}
