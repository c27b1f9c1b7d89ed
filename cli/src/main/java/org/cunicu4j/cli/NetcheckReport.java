package org.cunicu4j.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code cunicu4j netcheck} found, and its two renderings: an aligned table for people
 * and JSON for programs. Immutable.
 *
 * @param servers one check per server URL, in the order given
 * @param nat the NAT behaviour, or null when no UDP server could be asked
 */
record NetcheckReport(List<ServerCheck> servers, NatCheck nat) {

    /**
     * One server.
     *
     * @param url the URL as shown (password masked)
     * @param kind "stun" or "turn"
     * @param transport "udp", "tcp" or "tls"
     * @param reachable whether the server answered a Binding request (TURN: or the allocation)
     * @param rtt round-trip time of the Binding request from its last transmission, null when unreachable
     * @param requests Binding requests sent (more than 1: retransmitted, so the RTT may
     *     belong to an earlier one and is shown as uncertain), 0 when unreachable
     * @param mapped our address as the server saw it, null when unknown
     * @param error why the server is unreachable, null when reachable
     * @param allocation the TURN allocation's outcome, null for STUN servers
     */
    record ServerCheck(String url, String kind, String transport, boolean reachable, Duration rtt, int requests,
            InetSocketAddress mapped, String error, AllocationCheck allocation) {

        boolean ok() {
            return reachable && (allocation == null || allocation.ok());
        }
    }

    /** How a TURN allocation attempt ended. */
    enum AllocationStatus {
        /** The server granted it. */
        OK,
        /** The server refused it, or it could not be asked for it. */
        FAILED,
        /** Not attempted (no credentials, server unreachable): neither a success nor a problem. */
        SKIPPED;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A TURN allocation attempt.
     *
     * @param status ok, failed or skipped
     * @param relayed the relayed address, when granted
     * @param lifetime the granted lifetime, when granted
     * @param error why it failed or was skipped, else null
     */
    record AllocationCheck(AllocationStatus status, InetSocketAddress relayed, Duration lifetime, String error) {

        static AllocationCheck granted(InetSocketAddress relayed, Duration lifetime) {
            return new AllocationCheck(AllocationStatus.OK, relayed, lifetime, null);
        }

        static AllocationCheck failed(String why) {
            return new AllocationCheck(AllocationStatus.FAILED, null, null, why);
        }

        static AllocationCheck skipped(String why) {
            return new AllocationCheck(AllocationStatus.SKIPPED, null, null, why);
        }

        /** Not a failure: granted or skipped. */
        boolean ok() {
            return status != AllocationStatus.FAILED;
        }
    }

    /**
     * The NAT's behaviour (RFC 5780).
     *
     * @param server the URL of the server asked
     * @param mapping e.g. "endpoint-independent", or "unknown"
     * @param mappingReason the observation behind the verdict
     * @param filtering likewise
     * @param filteringReason likewise
     * @param behindNat whether the mapped address differs from every local address, null when unknown
     * @param mapped the mapped address the NAT tests started from (test I), null when unknown
     * @param error why there is no verdict at all, else null
     */
    record NatCheck(String server, String mapping, String mappingReason, String filtering, String filteringReason,
            Boolean behindNat, InetSocketAddress mapped, String error) {}

    /** True when every server was reachable and every attempted allocation succeeded (skipped ones do not count). */
    boolean ok() {
        return servers.stream().allMatch(ServerCheck::ok);
    }

    /** The aligned table, the NAT lines, and a line per problem. */
    String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVER", "TRANSPORT", "REACHABLE", "RTT", "MAPPED ADDRESS", "RELAYED ADDRESS"});
        for (ServerCheck s : servers) {
            String relayed = s.allocation() == null ? "-"
                    : s.allocation().status() == AllocationStatus.OK ? address(s.allocation().relayed())
                    : s.allocation().status().id();
            String rtt = millis(s.rtt()) + (s.rtt() != null && s.requests() > 1
                    ? " (~, " + s.requests() + " requests)" : "");
            rows.add(new String[] {s.url(), s.transport(), s.reachable() ? "yes" : "no", rtt,
                    s.mapped() == null ? "-" : address(s.mapped()), relayed});
        }
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        sb.append('\n');
        if (nat == null) {
            sb.append("NAT mapping:    unknown (no reachable UDP server to ask)\n");
            sb.append("NAT filtering:  unknown (no reachable UDP server to ask)\n");
        } else if (nat.error() != null) {
            sb.append("NAT mapping:    unknown (").append(nat.error()).append(")\n");
            sb.append("NAT filtering:  unknown (").append(nat.error()).append(")\n");
        } else {
            sb.append("NAT mapping:    ").append(nat.mapping()).append(" (").append(nat.mappingReason()).append(")\n");
            sb.append("NAT filtering:  ").append(nat.filtering()).append(" (").append(nat.filteringReason())
                    .append(")\n");
        }
        List<String> problems = new ArrayList<>();
        for (ServerCheck s : servers) {
            if (s.error() != null) {
                problems.add(s.url() + ": " + s.error());
            } else if (s.allocation() != null && s.allocation().status() == AllocationStatus.FAILED) {
                problems.add(s.url() + ": allocation failed: " + s.allocation().error());
            }
        }
        if (!problems.isEmpty()) {
            sb.append('\n').append("Problems:\n");
            for (String p : problems) {
                sb.append("  ").append(p).append('\n');
            }
        }
        return sb.toString();
    }

    /** One JSON object: {@code {"ok":..., "servers":[...], "nat":{...}}}. */
    String json() {
        JsonWriter w = new JsonWriter().beginObject().field("ok", ok()).name("servers").beginArray();
        for (ServerCheck s : servers) {
            w.beginObject().field("url", s.url()).field("kind", s.kind()).field("transport", s.transport())
                    .field("reachable", s.reachable())
                    .field("rttMs", s.rtt() == null ? null : s.rtt().toNanos() / 1e6)
                    .field("requests", s.requests())
                    .field("mappedAddress", s.mapped() == null ? null : address(s.mapped()))
                    .field("error", s.error());
            if (s.allocation() != null) {
                AllocationCheck a = s.allocation();
                w.name("allocation").beginObject().field("status", a.status().id())
                        .field("relayedAddress", a.relayed() == null ? null : address(a.relayed()))
                        .field("lifetimeS", a.lifetime() == null ? null : a.lifetime().toSeconds())
                        .field("error", a.error()).endObject();
            }
            w.endObject();
        }
        w.endArray().name("nat");
        if (nat == null) {
            w.value((String) null);
        } else {
            w.beginObject().field("server", nat.server()).field("mapping", nat.mapping())
                    .field("mappingReason", nat.mappingReason()).field("filtering", nat.filtering())
                    .field("filteringReason", nat.filteringReason()).name("behindNat");
            if (nat.behindNat() == null) {
                w.value((String) null);
            } else {
                w.value(nat.behindNat());
            }
            w                    .field("mappedAddress", nat.mapped() == null ? null : address(nat.mapped()))
                    .field("error", nat.error()).endObject();
        }
        return w.endObject().toString() + "\n";
    }

    static String address(InetSocketAddress a) {
        String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    static String millis(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
