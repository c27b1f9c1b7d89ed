package org.cunicu4j.proxy.nft;

import static org.cunicu4j.proxy.nft.NftJson.obj;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The nft JSON commands of {@link NftablesProxy}'s table ({@code /work/shared/spec/cunicu-compat.md},
 * "Port sharing rules"): table {@code inet cunicu4j-<ifname>} with two base chains at
 * priority raw, {@code input} and {@code output}.
 * <ul>
 * <li>input, per ICE port (one per family): {@code meta nfproto ipvN udp dport <ICE port>
 * @th,96,32 != 0x2112a442 notrack udp dport set <WG port>} (non-STUN to ICE goes to WireGuard);</li>
 * <li>output, per peer with a direct pair: {@code udp sport <WG port> ip[6] daddr <remote ip>
 * udp dport <remote port> notrack udp sport set <ICE port>} (WireGuard's packets to that
 * remote leave from the ICE port).</li>
 * </ul>
 * nft writes the UDP checksum along with a port ({@code udp dport set}/{@code sport set} are
 * payload writes with L4 checksum update). Every change is one transaction that flushes the
 * table's rules and writes them all again from the state given: atomic (the kernel applies the
 * whole batch or nothing, so no packet sees half a change), and nothing to remember between
 * changes (no rule handles). Stateless.
 */
final class NftRuleset {
    /** Table names are this prefix and the interface name. */
    static final String TABLE_PREFIX = "cunicu4j-";
    /** The comment on every rule (what an operator greps for). */
    static final String COMMENT = "cunicu4j";
    /** The input chain (hook input, priority raw). */
    static final String INPUT = "input";
    /** The output chain (hook output, priority raw). */
    static final String OUTPUT = "output";
    /** {@code NF_IP_PRI_RAW}: the priority nft calls {@code raw}. */
    static final int PRIORITY_RAW = -300;
    /** The STUN magic cookie, UDP payload bytes 4..7 (RFC 5389 §6). */
    static final long STUN_MAGIC_COOKIE = 0x2112A442L;

    private NftRuleset() {}

    /** One direct pair's remote (the WireGuard peer's endpoint) and a label for the rule's comment. */
    record Pair(String label, InetSocketAddress remote) {}

    /** The table of interface {@code ifname}. */
    static String tableName(String ifname) {
        return TABLE_PREFIX + ifname;
    }

    /**
     * The transaction that makes the table exactly this state.
     *
     * @param purge delete the table first (stale state of a crashed run: its chains too)
     * @param icePort4 the IPv4 ICE port (0: none)
     * @param icePort6 the IPv6 ICE port (0: none)
     * @param pairs the peers' direct pairs; one whose family has no ICE port is left out
     */
    static String install(String table, boolean purge, int wgPort, int icePort4, int icePort6, List<Pair> pairs) {
        List<Object> cmds = new ArrayList<>();
        cmds.add(cmd("add", tableObj(table)));
        if (purge) {
            cmds.add(cmd("delete", tableObj(table)));
            cmds.add(cmd("add", tableObj(table)));
        }
        cmds.add(cmd("add", chain(table, INPUT)));
        cmds.add(cmd("add", chain(table, OUTPUT)));
        cmds.add(cmd("flush", tableObj(table)));
        if (icePort4 != 0) {
            cmds.add(cmd("add", inputRule(table, "ipv4", icePort4, wgPort)));
        }
        if (icePort6 != 0) {
            cmds.add(cmd("add", inputRule(table, "ipv6", icePort6, wgPort)));
        }
        for (Pair p : pairs) {
            boolean v4 = p.remote().getAddress() instanceof Inet4Address;
            int icePort = v4 ? icePort4 : icePort6;
            if (icePort != 0) {
                cmds.add(cmd("add", outputRule(table, p, v4, wgPort, icePort)));
            }
        }
        return NftJson.write(obj("nftables", cmds));
    }

    /** The transaction that deletes the table if it is there (an absent table is no error). */
    static String remove(String table) {
        return NftJson.write(obj("nftables", List.of(cmd("add", tableObj(table)), cmd("delete", tableObj(table)))));
    }

    private static Map<String, Object> cmd(String verb, Map<String, Object> what) {
        return obj(verb, what);
    }

    private static Map<String, Object> tableObj(String table) {
        return obj("table", obj("family", "inet", "name", table));
    }

    private static Map<String, Object> chain(String table, String name) {
        return obj("chain", obj("family", "inet", "table", table, "name", name,
                "type", "filter", "hook", name, "prio", PRIORITY_RAW, "policy", "accept"));
    }

    private static Map<String, Object> inputRule(String table, String nfproto, int icePort, int wgPort) {
        return rule(table, INPUT, COMMENT, List.of(
                eq(obj("meta", obj("key", "nfproto")), nfproto),
                eq(udp("dport"), icePort),
                match("!=", obj("payload", obj("base", "th", "offset", 96, "len", 32)), STUN_MAGIC_COOKIE),
                obj("notrack", null),
                mangle(udp("dport"), wgPort)));
    }

    private static Map<String, Object> outputRule(String table, Pair p, boolean v4, int wgPort, int icePort) {
        return rule(table, OUTPUT, COMMENT + " " + p.label(), List.of(
                eq(udp("sport"), wgPort),
                eq(obj("payload", obj("protocol", v4 ? "ip" : "ip6", "field", "daddr")), literal(p.remote().getAddress())),
                eq(udp("dport"), p.remote().getPort()),
                obj("notrack", null),
                mangle(udp("sport"), icePort)));
    }

    /** The address without a scope ({@code fe80::1%eth0} → {@code fe80::1}): nft wants the bare literal. */
    private static String literal(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress()).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + address, e);
        }
    }

    private static Map<String, Object> rule(String table, String chain, String comment, List<Object> expr) {
        return obj("rule", obj("family", "inet", "table", table, "chain", chain, "comment", comment, "expr", expr));
    }

    private static Map<String, Object> udp(String field) {
        return obj("payload", obj("protocol", "udp", "field", field));
    }

    private static Map<String, Object> eq(Object left, Object right) {
        return match("==", left, right);
    }

    private static Map<String, Object> match(String op, Object left, Object right) {
        return obj("match", obj("op", op, "left", left, "right", right));
    }

    private static Map<String, Object> mangle(Object key, int value) {
        return obj("mangle", obj("key", key, "value", value));
    }
}
