package org.cunicu4j.proxy.ipt;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.linux.socket.SocketConstants;

/**
 * The rules of {@link IptablesProxy} for one interface, as {@code iptables-restore --noflush}
 * input, and the reading of {@code iptables-save} output to find them again. Pure text; no
 * tool is run here. Stateless, thread-safe.
 *
 * <p>Four chains of their own per address family, named {@code c4j-<interface>-<hook>}:
 * <ul>
 *   <li>{@code raw c4j-IF-pre} (from PREROUTING): STUN to the ICE port is not tracked
 *       ({@code CT --notrack}): it reaches ICE and leaves no connection whose mapping would
 *       capture WireGuard's packets from the same remote;
 *   <li>{@code raw c4j-IF-out} (from OUTPUT): nothing the ICE socket sends is tracked
 *       either (its STUN must not own the tuple WireGuard's translated packets use);
 *   <li>{@code nat c4j-IF-pre} (from PREROUTING): non-STUN to the ICE port is redirected to
 *       WireGuard's listen port ({@code REDIRECT}); the replies go back from the ICE port;
 *   <li>{@code nat c4j-IF-post} (from POSTROUTING): per connected pair, what leaves
 *       WireGuard's port towards the remote candidate leaves from the ICE port ({@code SNAT}).
 * </ul>
 * STUN is told by its magic cookie {@code 0x2112A442} in UDP payload bytes 4..7, read with
 * the {@code u32} match past the IP header (IPv4: its length from the IHL field; IPv6: the
 * fixed 40 bytes, so a packet with extension headers counts as non-STUN). Every rule, and
 * every jump from a built-in chain, carries the comment {@code cunicu4j <interface>}. The
 * rules match only packets to (PREROUTING) or from (POSTROUTING) a local address
 * ({@code addrtype}), so a host that also routes leaves forwarded traffic alone.
 */
public final class IptablesRules {
    /** The comment on everything installed (followed by the interface name). */
    public static final String TAG = "cunicu4j";
    /**
     * Only what is addressed to this host: a router forwarding other hosts' packets to a port
     * that happens to be the ICE port leaves them alone (no redirect, no untracking).
     */
    static final String LOCAL_DST = "-m addrtype --dst-type LOCAL";
    /** Only what this host sends: forwarded packets from another host's port are not translated. */
    static final String LOCAL_SRC = "-m addrtype --src-type LOCAL";

    private IptablesRules() {}

    /** An address family: its tools, its u32 expression for "is STUN" and its host mask. */
    public enum Family {
        V4("0>>22&0x3C@12=0x2112A442", 32, SocketConstants.AF_INET),
        V6("52=0x2112A442", 128, SocketConstants.AF_INET6);

        final String stun;
        final int hostBits;
        final int af;

        Family(String stun, int hostBits, int af) {
            this.stun = stun;
            this.hostBits = hostBits;
            this.af = af;
        }

        /** The family of {@code address}. */
        public static Family of(InetAddress address) {
            return address instanceof Inet4Address ? V4 : V6;
        }
    }

    /** A connected pair's rule: what leaves WireGuard towards {@code remote} leaves from the ICE port. */
    record PairRule(String peerTag, InetSocketAddress remote) {}

    /** The raw chain PREROUTING jumps to. */
    public static String rawPre(String iface) {
        return "c4j-" + iface + "-pre";
    }

    /** The raw chain OUTPUT jumps to. */
    public static String rawOut(String iface) {
        return "c4j-" + iface + "-out";
    }

    /** The nat chain PREROUTING jumps to (same name as the raw one, another table). */
    public static String natPre(String iface) {
        return "c4j-" + iface + "-pre";
    }

    /** The nat chain POSTROUTING jumps to. */
    public static String natPost(String iface) {
        return "c4j-" + iface + "-post";
    }

    /** Our chains' names by table. */
    static Map<String, Set<String>> chains(String iface) {
        return Map.of("raw", Set.of(rawPre(iface), rawOut(iface)), "nat", Set.of(natPre(iface), natPost(iface)));
    }

    /**
     * Checks that {@code iface} can be part of a chain name (at most 28 characters in all,
     * nothing the restore syntax would split or quote).
     *
     * @throws IllegalArgumentException naming the interface
     */
    static void checkInterface(String iface) {
        if (iface.isEmpty() || natPost(iface).length() > 28 || !iface.matches("[A-Za-z0-9_.@+=-]+")) {
            throw new IllegalArgumentException("interface name '" + iface
                    + "' cannot name iptables chains (at most 19 characters of letters, digits and _.@+=-)");
        }
    }

    private static String comment(String iface) {
        return "-m comment --comment \"" + TAG + " " + iface + "\"";
    }

    /**
     * Everything for one family, chains created (or emptied) and the jumps to them inserted
     * first in the built-in chains: the input of {@code iptables-restore --noflush} at open,
     * after {@link #removal} of what an earlier run left.
     */
    static String install(Family f, String iface, int icePort, int wgPort, Collection<PairRule> pairs) {
        StringBuilder b = new StringBuilder();
        b.append("*raw\n");
        b.append(':').append(rawPre(iface)).append(" - [0:0]\n");
        b.append(':').append(rawOut(iface)).append(" - [0:0]\n");
        b.append("-A ").append(rawPre(iface)).append(" -p udp -m udp --dport ").append(icePort)
                .append(' ').append(LOCAL_DST).append(" -m u32 --u32 \"").append(f.stun).append("\" ").append(comment(iface)).append(" -j CT --notrack\n");
        b.append("-A ").append(rawOut(iface)).append(" -p udp -m udp --sport ").append(icePort)
                .append(' ').append(comment(iface)).append(" -j CT --notrack\n");
        b.append("-I PREROUTING 1 ").append(comment(iface)).append(" -j ").append(rawPre(iface)).append('\n');
        b.append("-I OUTPUT 1 ").append(comment(iface)).append(" -j ").append(rawOut(iface)).append('\n');
        b.append("COMMIT\n");
        natTable(b, f, iface, icePort, wgPort, pairs);
        b.setLength(b.length() - "COMMIT\n".length());
        b.append("-I PREROUTING 1 ").append(comment(iface)).append(" -j ").append(natPre(iface)).append('\n');
        b.append("-I POSTROUTING 1 ").append(comment(iface)).append(" -j ").append(natPost(iface)).append('\n');
        b.append("COMMIT\n");
        return b.toString();
    }

    /**
     * The nat chains' whole content for one family (declaring a chain empties it, so this
     * replaces what was there in one transaction): after a pair or the listen port changed.
     */
    static String nat(Family f, String iface, int icePort, int wgPort, Collection<PairRule> pairs) {
        StringBuilder b = new StringBuilder();
        natTable(b, f, iface, icePort, wgPort, pairs);
        return b.toString();
    }

    private static void natTable(StringBuilder b, Family f, String iface, int icePort, int wgPort, Collection<PairRule> pairs) {
        b.append("*nat\n");
        b.append(':').append(natPre(iface)).append(" - [0:0]\n");
        b.append(':').append(natPost(iface)).append(" - [0:0]\n");
        b.append("-A ").append(natPre(iface)).append(" -p udp -m udp --dport ").append(icePort)
                .append(' ').append(LOCAL_DST).append(" -m u32 ! --u32 \"").append(f.stun).append("\" ").append(comment(iface))
                .append(" -j REDIRECT --to-ports ").append(wgPort).append('\n');
        for (PairRule p : pairs) {
            if (Family.of(p.remote().getAddress()) != f) {
                continue;
            }
            b.append("-A ").append(natPost(iface)).append(" -d ").append(hostAddress(p.remote().getAddress()))
                    .append('/').append(f.hostBits).append(" -p udp -m udp --sport ").append(wgPort)
                    .append(" --dport ").append(p.remote().getPort()).append(' ').append(LOCAL_SRC)
                    .append(" -m comment --comment \"").append(TAG).append(' ').append(iface).append(" peer ")
                    .append(p.peerTag()).append("\" -j SNAT --to-source :").append(icePort).append('\n');
        }
        b.append("COMMIT\n");
    }

    /** The address without an IPv6 scope ({@code fe80::1%eth0} → {@code fe80::1}). */
    static String hostAddress(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        return pct < 0 ? s : s.substring(0, pct);
    }

    /**
     * What {@code iptables-save} output shows of {@code iface}'s chains: the restore input
     * that deletes every jump to them (each duplicate too) and then the chains; empty when
     * there is nothing. Any table of {@code save} is looked at (ours are raw and nat).
     */
    static String removal(String save, String iface) {
        Set<String> ours = new LinkedHashSet<>();
        chains(iface).values().forEach(ours::addAll);
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<String>> t : tables(save).entrySet()) {
            List<String> present = new ArrayList<>();
            List<String> jumps = new ArrayList<>();
            for (String line : t.getValue()) {
                if (line.startsWith(":")) {
                    String name = line.substring(1).split(" ", 2)[0];
                    if (ours.contains(name)) {
                        present.add(name);
                    }
                } else if (line.startsWith("-A ")) {
                    String[] words = line.split(" ");
                    String chain = words.length > 1 ? words[1] : "";
                    String target = target(words);
                    if (!ours.contains(chain) && target != null && ours.contains(target)) {
                        jumps.add("-D" + line.substring(2));
                    }
                }
            }
            if (present.isEmpty() && jumps.isEmpty()) {
                continue;
            }
            b.append('*').append(t.getKey()).append('\n');
            jumps.forEach(j -> b.append(j).append('\n'));
            present.forEach(c -> b.append("-F ").append(c).append('\n'));
            present.forEach(c -> b.append("-X ").append(c).append('\n'));
            b.append("COMMIT\n");
        }
        return b.toString();
    }

    /** What an earlier run's redirect rule translated: non-STUN to {@code icePort} went to {@code wgPort}. */
    record Redirect(int icePort, int wgPort) {}

    private static final Pattern REDIRECT = Pattern.compile(" --dport (\\d{1,5}) .*-j REDIRECT --to-ports (\\d{1,5})(?: |$)");

    /**
     * The redirects in {@code iface}'s nat chain of {@code iptables-save} output (a crashed
     * run's ICE and WireGuard ports: its connections are recognised by them), each once.
     */
    static List<Redirect> redirects(String save, String iface) {
        Set<Redirect> out = new LinkedHashSet<>();
        for (String line : rules(save, "nat", natPre(iface))) {
            Matcher m = REDIRECT.matcher(line);
            if (m.find()) {
                int ice = Integer.parseInt(m.group(1));
                int wg = Integer.parseInt(m.group(2));
                if (ice >= 1 && ice <= 65535 && wg >= 1 && wg <= 65535) {
                    out.add(new Redirect(ice, wg));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The word after {@code -j} or {@code -g}, or null. */
    private static String target(String[] words) {
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("-j") || words[i].equals("-g")) {
                return words[i + 1];
            }
        }
        return null;
    }

    /** The lines of each table ({@code *name} … {@code COMMIT}) of {@code iptables-save} output, comments left out. */
    public static Map<String, List<String>> tables(String save) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String raw : save.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                current = out.computeIfAbsent(line.substring(1), k -> new ArrayList<>());
            } else if (line.equals("COMMIT")) {
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return out;
    }

    /** The {@code -A chain ...} lines of {@code chain} in {@code table} of {@code iptables-save} output. */
    public static List<String> rules(String save, String table, String chain) {
        return tables(save).getOrDefault(table, List.of()).stream().filter(l -> l.startsWith("-A " + chain + " ")).toList();
    }

    /** The lines of {@code iptables-save} output that belong to {@code iface} (its chains, the jumps and rules tagged with it). */
    public static List<String> linesOf(String save, String iface) {
        Set<String> ours = new LinkedHashSet<>();
        chains(iface).values().forEach(ours::addAll);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> t : tables(save).entrySet()) {
            for (String line : t.getValue()) {
                String[] words = line.split(" ");
                boolean chainDecl = line.startsWith(":") && ours.contains(line.substring(1).split(" ", 2)[0]);
                boolean inOurs = line.startsWith("-A ") && words.length > 1 && ours.contains(words[1]);
                String target = target(words);
                if (chainDecl || inOurs || (target != null && ours.contains(target))) {
                    out.add(t.getKey() + " " + line);
                }
            }
        }
        return out;
    }
}
