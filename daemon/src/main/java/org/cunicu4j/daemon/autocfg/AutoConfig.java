package org.cunicu4j.daemon.autocfg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.cunicu4j.daemon.ListenPorts;
import org.cunicu4j.daemon.config.InterfaceConfig;
import org.cunicu4j.daemon.config.PortRange;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.netlink.Link;
import org.cunicu4j.linux.netlink.LinkAddress;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * cunīcu's auto-configuration of one interface: a private key when none is given, the
 * first free port of {@code listen_port_range}, the addresses {@linkplain DerivedAddresses
 * derived} from our public key for each of {@code prefixes}, the MTU as {@code wg-quick}
 * detects it (unless {@code mtu} is set), the link up, and every peer's derived addresses
 * ({@code /128}, {@code /32}) in its allowed IPs.
 *
 * <p>The daemon owns it, one per interface, and calls it in order: {@link #privateKey} and
 * {@link #listenPort} (or {@link #configureDevice} for an existing device) before or when the
 * device is created, {@link #configureLink} once the link exists, {@link #peerAdded} for each
 * peer, {@link #publicKeyChanged} when our key changes (also after {@link #configureDevice}
 * replaced a device's key: {@link DeviceKeys#changed()}). Link changes go through the
 * {@link RtNetlink} it is given, so they happen in that socket's namespace; the port probe
 * binds in the calling thread's namespace. Thread-safe: it holds no mutable state.
 */
public final class AutoConfig {
    private static final System.Logger LOG = System.getLogger(AutoConfig.class.getName());

    /**
     * What auto-configuration needs from the configuration (cunīcu's keys in brackets).
     *
     * @param privateKey      {@code private_key}, or null: keep the device's, else generate one
     * @param listenPort      {@code listen_port}, or null: keep the device's, else the first free port of the range
     * @param listenPortRange {@code listen_port_range}
     * @param prefixes        {@code prefixes}: one derived address per prefix (default
     *                        {@link DerivedAddresses#DEFAULT_PREFIXES}); empty assigns none
     * @param mtu             {@code mtu}, or null: detect it; at least 1280 when {@code prefixes}
     *                        has an IPv6 prefix (the kernel drops IPv6 addresses below it)
     * @param source          where the settings came from (a file), named in errors
     */
    public record Settings(Key privateKey, Integer listenPort, PortRange listenPortRange, List<IpPrefix> prefixes,
            Integer mtu, String source) {
        /** Everything by default: no key, no port, 51820-51899, fc2f:9a4d::/32 and 10.237.0.0/16, detected MTU. */
        public static final Settings DEFAULT = new Settings(null, null, PortRange.DEFAULT, DerivedAddresses.DEFAULT_PREFIXES,
                null, "defaults");

        public Settings {
            if (privateKey != null && privateKey.type() != Key.Type.PRIVATE) {
                throw new IllegalArgumentException("private_key must be a private key, got a " + privateKey.type() + " key");
            }
            if (listenPort != null && (listenPort < 1 || listenPort > 65535)) {
                throw new IllegalArgumentException("listen_port must be 1..65535, got " + listenPort);
            }
            Objects.requireNonNull(listenPortRange, "listenPortRange");
            prefixes = List.copyOf(prefixes);
            if (mtu != null && (mtu < 576 || mtu > 65535)) {
                throw new IllegalArgumentException("mtu must be 576..65535, got " + mtu);
            }
            Objects.requireNonNull(source, "source");
            if (mtu != null && mtu < MtuDetection.MINIMUM) {
                for (IpPrefix p : prefixes) {
                    if (!p.isIpv4()) {
                        throw new IllegalArgumentException("mtu must be at least " + MtuDetection.MINIMUM
                                + " when prefixes has an IPv6 prefix (" + p + "): the kernel removes a link's IPv6 "
                                + "addresses below it; got mtu " + mtu + " (" + source + ")");
                    }
                }
            }
        }

        /**
         * The settings of an interface's configuration: its {@code private_key},
         * {@code listen_port}, {@code listen_port_range} and {@code mtu}, with {@code prefixes}
         * (which {@link InterfaceConfig} does not hold yet).
         */
        public static Settings from(InterfaceConfig cfg, List<IpPrefix> prefixes, String source) {
            return new Settings(cfg.privateKey(), cfg.listenPort(), cfg.listenPortRange(), prefixes, cfg.mtu(), source);
        }

        public Settings withPrivateKey(Key v) {
            return new Settings(v, listenPort, listenPortRange, prefixes, mtu, source);
        }

        public Settings withListenPort(Integer v) {
            return new Settings(privateKey, v, listenPortRange, prefixes, mtu, source);
        }

        public Settings withListenPortRange(PortRange v) {
            return new Settings(privateKey, listenPort, v, prefixes, mtu, source);
        }

        public Settings withPrefixes(List<IpPrefix> v) {
            return new Settings(privateKey, listenPort, listenPortRange, v, mtu, source);
        }

        public Settings withMtu(Integer v) {
            return new Settings(privateKey, listenPort, listenPortRange, prefixes, v, source);
        }

        /** Never shows the private key. */
        @Override
        public String toString() {
            return "AutoConfig.Settings[privateKey=" + (privateKey == null ? "none" : "***") + ", listenPort=" + listenPort
                    + ", listenPortRange=" + listenPortRange + ", prefixes=" + prefixes + ", mtu="
                    + (mtu == null ? "detect" : mtu) + ", source=" + source + "]";
        }
    }

    /**
     * What {@link #configureLink} did.
     *
     * @param link      the link as it was before
     * @param addresses our derived addresses, all now on the link (added or already there)
     * @param added     those of them this call added
     * @param mtu       the MTU the link has now
     * @param mtuReason where the MTU came from ("mtu from the configuration", "route to ... has mtu 1500, minus 80")
     */
    public record LinkResult(Link link, List<IpPrefix> addresses, List<IpPrefix> added, int mtu, String mtuReason) {
        public LinkResult {
            addresses = List.copyOf(addresses);
            added = List.copyOf(added);
        }
    }

    /**
     * What {@link #configureDevice} left on the device.
     *
     * @param previousPublicKey the device's public key before, or null when it had no key
     * @param publicKey         our public key now
     */
    public record DeviceKeys(Key previousPublicKey, Key publicKey) {
        public DeviceKeys {
            Objects.requireNonNull(publicKey, "publicKey");
        }

        /**
         * True when the device had another key before: the caller must move the derived
         * addresses with {@link #publicKeyChanged(String, Key, Key) publicKeyChanged(ifname,
         * previousPublicKey, publicKey)} (and tell peers of the new key).
         */
        public boolean changed() {
            return previousPublicKey != null && !previousPublicKey.equals(publicKey);
        }
    }

    private final Settings settings;
    private final RtNetlink rt;

    /**
     * @param rt the rtnetlink socket of the interface's namespace; borrowed, not closed
     */
    public AutoConfig(Settings settings, RtNetlink rt) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.rt = Objects.requireNonNull(rt, "rt");
    }

    public Settings settings() {
        return settings;
    }

    // ---- identity

    /**
     * The private key to use: the configured one, else {@code current} (the device's, may be
     * null), else a new one (logged with its public key, never the private one).
     */
    public Key privateKey(String ifname, Key current) {
        if (settings.privateKey() != null) {
            return settings.privateKey();
        }
        if (current != null) {
            return current;
        }
        Key generated = Key.generatePrivate();
        LOG.log(System.Logger.Level.WARNING, "{0}: no private_key configured and none on the device: generated one, "
                + "public key {1}", ifname, generated.publicKey().toBase64());
        return generated;
    }

    /**
     * The listen port to use: the configured one, else {@code current} when not 0, else the
     * first port of the range free for UDP (probed in the calling thread's namespace).
     *
     * @throws org.cunicu4j.daemon.DaemonException when every port of the range is taken (naming the range and source)
     */
    public int listenPort(int current) {
        if (settings.listenPort() != null) {
            return settings.listenPort();
        }
        if (current != 0) {
            return current;
        }
        PortRange r = settings.listenPortRange();
        return ListenPorts.choose(null, r.min(), r.max(), settings.source());
    }

    /**
     * For a device that exists already (adopted): gives it a private key and a listen port
     * where it lacks them or they differ from the configured ones, in one update.
     *
     * @return the device's public key before and ours now; see {@link DeviceKeys#changed()}
     */
    public DeviceKeys configureDevice(WireGuardControl control) throws IOException {
        DeviceStatus st = control.status();
        Key key = privateKey(control.name(), st.privateKey());
        int port = listenPort(st.listenPort());
        Key newKey = key.equals(st.privateKey()) ? null : key;
        Integer newPort = port == st.listenPort() ? null : port;
        if (newKey != null || newPort != null) {
            control.apply(new DeviceUpdate(newKey, newPort, null, false, List.of()));
        }
        return new DeviceKeys(st.publicKey(), key.publicKey());
    }

    // ---- link

    /**
     * The MTU the link should get: the configured {@code mtu}, else detected from the routes
     * to {@code endpoints} (peers' endpoint addresses) as {@code wg-quick} does — for a
     * device that does not exist yet and has no fwmark.
     */
    public int mtu(Collection<InetAddress> endpoints) throws IOException {
        return mtu(endpoints, 0, 0);
    }

    /**
     * {@link #mtu(Collection)} for an existing device: routes through {@code ownLink} (its
     * interface index) are ignored, lookups carry its {@code fwmark} (0: none).
     */
    public int mtu(Collection<InetAddress> endpoints, int ownLink, int fwmark) throws IOException {
        return mtuWithReason(endpoints, ownLink, fwmark).mtu();
    }

    private MtuDetection.Detected mtuWithReason(Collection<InetAddress> endpoints, int ownLink, int fwmark)
            throws IOException {
        if (settings.mtu() != null) {
            return new MtuDetection.Detected(settings.mtu(), "mtu from " + settings.source());
        }
        return MtuDetection.detect(rt, endpoints, ownLink, fwmark);
    }

    /** {@link #configureLink(String, Key, int, Collection)} for a device without fwmark. */
    public LinkResult configureLink(String ifname, Key publicKey, Collection<InetSocketAddress> endpoints)
            throws IOException {
        return configureLink(ifname, publicKey, 0, endpoints);
    }

    /**
     * Sets the MTU ({@link #mtu(Collection, int, int)} of the peers' {@code endpoints}, looked
     * up with the device's {@code fwmark}; unresolved endpoints are skipped), then assigns our
     * derived addresses (those present are kept) and brings the link up. The MTU comes first:
     * below 1280 the kernel would refuse or drop the IPv6 addresses.
     *
     * @throws IOException naming the interface and what failed
     */
    public LinkResult configureLink(String ifname, Key publicKey, int fwmark, Collection<InetSocketAddress> endpoints)
            throws IOException {
        List<InetAddress> hosts = new ArrayList<>();
        for (InetSocketAddress e : endpoints) {
            if (e != null && e.getAddress() != null) {
                hosts.add(e.getAddress());
            }
        }
        Link link = findLink(ifname);
        MtuDetection.Detected mtu = mtuWithReason(hosts, link.index(), fwmark);
        return configureLink(ifname, link, publicKey, OptionalInt.of(mtu.mtu()), mtu.reason());
    }

    /**
     * {@link #configureLink(String, Key, Collection)} with an MTU chosen by the caller (empty:
     * leave it) — for our own device, whose MTU is fixed when it is created.
     */
    public LinkResult configureLink(String ifname, Key publicKey, OptionalInt mtu) throws IOException {
        return configureLink(ifname, findLink(ifname), publicKey, mtu,
                mtu.isPresent() ? "given by the daemon" : "unchanged");
    }

    private Link findLink(String ifname) throws IOException {
        return rt.findLink(ifname).orElseThrow(() -> new IOException(
                "autocfg: interface " + ifname + " does not exist in this network namespace"));
    }

    private LinkResult configureLink(String ifname, Link link, Key publicKey, OptionalInt mtu, String reason)
            throws IOException {
        List<IpPrefix> ours = DerivedAddresses.addresses(publicKey, settings.prefixes());
        int now = link.mtu();
        if (mtu.isPresent() && mtu.getAsInt() != link.mtu()) {
            try {
                rt.setMtu(link.index(), mtu.getAsInt());
            } catch (IOException e) {
                throw new IOException("autocfg: setting mtu " + mtu.getAsInt() + " on " + ifname + ": " + e.getMessage(), e);
            }
            now = mtu.getAsInt();
        }
        List<IpPrefix> added = addAddresses(ifname, link.index(), ours);
        if (!link.up()) {
            try {
                rt.setUp(link.index(), true);
            } catch (IOException e) {
                throw new IOException("autocfg: bringing " + ifname + " up: " + e.getMessage(), e);
            }
        }
        LOG.log(System.Logger.Level.INFO, "{0}: addresses {1}, mtu {2} ({3}), up", ifname, ours, String.valueOf(now), reason);
        return new LinkResult(link, ours, added, now, reason);
    }

    /**
     * Our key changed: removes the addresses derived from {@code oldPublic} (those still
     * there) and adds those of {@code newPublic}.
     *
     * @return the new addresses
     */
    public List<IpPrefix> publicKeyChanged(String ifname, Key oldPublic, Key newPublic) throws IOException {
        Link link = findLink(ifname);
        List<IpPrefix> fresh = DerivedAddresses.addresses(newPublic, settings.prefixes());
        if (oldPublic != null) {
            Set<IpPrefix> keep = new HashSet<>(fresh);
            for (IpPrefix old : DerivedAddresses.addresses(oldPublic, settings.prefixes())) {
                if (keep.contains(old)) {
                    continue;
                }
                try {
                    rt.removeAddress(new LinkAddress(link.index(), old.address(), old.bits()));
                } catch (LinuxException e) {
                    if (e.errno() != Errno.EADDRNOTAVAIL) {
                        throw new IOException("autocfg: removing old address " + old + " from " + ifname + ": "
                                + e.getMessage(), e);
                    }
                }
            }
        }
        addAddresses(ifname, link.index(), fresh);
        return fresh;
    }

    private List<IpPrefix> addAddresses(String ifname, int index, List<IpPrefix> addresses) throws IOException {
        Set<String> have = new HashSet<>();
        for (LinkAddress a : rt.addresses(index)) {
            have.add(a.cidr());
        }
        List<IpPrefix> added = new ArrayList<>();
        for (IpPrefix p : addresses) {
            LinkAddress a = new LinkAddress(index, p.address(), p.bits());
            if (have.contains(a.cidr())) {
                continue;
            }
            try {
                rt.addAddress(a);
                added.add(p);
            } catch (LinuxException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw new IOException("autocfg: adding derived address " + p + " to " + ifname + ": " + e.getMessage(), e);
                }
            }
        }
        return added;
    }

    // ---- peers

    /**
     * Adds {@code peer}'s derived addresses ({@code /128}, {@code /32}) to its allowed IPs,
     * if the device has that peer (an update only: a peer removed meanwhile is not re-created).
     *
     * @return the prefixes added
     */
    public List<IpPrefix> peerAdded(WireGuardControl control, Key peer) throws IOException {
        List<IpPrefix> allowed = DerivedAddresses.hostPrefixes(peer, settings.prefixes());
        if (!allowed.isEmpty()) {
            control.apply(DeviceUpdate.peers(new PeerUpdate(peer, false, true, null, null, null, false, allowed)));
        }
        return allowed;
    }
}
