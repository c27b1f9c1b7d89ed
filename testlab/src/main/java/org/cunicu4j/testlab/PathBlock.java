package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A firewall rule set in one lab host that cuts a path: an nftables table of its own
 * ({@code inet c4jblock<k>}) whose chains drop what it names, in the input, output and
 * forward hooks, so it works on an end host as on a router. Several blocks may be in force
 * at once; {@link #restore()} (or {@link #close()}) deletes the table and the path is back.
 * Rules ignore connection-tracking state: flows already established are cut too.
 *
 * <p>The lab deletes the namespace on close anyway, so a block left in force is no leak.
 * Thread-safe.
 */
public final class PathBlock implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Host host;
    private final String table;
    private final String description;
    private boolean inForce = true;

    private PathBlock(Host host, String table, String description) {
        this.host = host;
        this.table = table;
        this.description = description;
    }

    /** Drops every IPv4/IPv6 packet between {@code host} (or what it forwards) and {@code peerIp}. */
    public static PathBlock all(Host host, String peerIp) {
        String f = family(peerIp);
        return load(host, f + " saddr " + peerIp + " drop", f + " daddr " + peerIp + " drop",
                "everything to and from " + peerIp);
    }

    /**
     * Drops UDP to and from {@code peerIp} in {@code host}: on a NAT router, UDP between its
     * private hosts and the peer's public address, while UDP and TCP to everything else (a
     * TURN server) still pass.
     */
    public static PathBlock udp(Host host, String peerIp) {
        String f = family(peerIp);
        return load(host, "meta l4proto udp " + f + " saddr " + peerIp + " drop",
                "meta l4proto udp " + f + " daddr " + peerIp + " drop", "UDP to and from " + peerIp);
    }

    /**
     * Drops all UDP that {@code router} forwards (its own traffic passes): behind it only
     * TCP reaches out, e.g. TURN over TCP or TLS.
     */
    public static PathBlock forwardedUdp(Host router) {
        return load(router, null, null, "all forwarded UDP");
    }

    private static PathBlock load(Host host, String ruleIn, String ruleOut, String description) {
        String table = "c4jblock" + COUNTER.incrementAndGet();
        StringBuilder sb = new StringBuilder("table inet ").append(table).append(" {\n");
        if (ruleIn == null) {
            sb.append("    chain forward { type filter hook forward priority -10; policy accept;\n")
                    .append("        meta l4proto udp drop\n    }\n");
        } else {
            for (String hook : new String[] {"input", "output", "forward"}) {
                sb.append("    chain ").append(hook).append(" { type filter hook ").append(hook)
                        .append(" priority -10; policy accept;\n")
                        .append("        ").append(ruleIn).append("\n")
                        .append("        ").append(ruleOut).append("\n    }\n");
            }
        }
        sb.append("}\n");
        Path file = host.lab().workDir().resolve(host.name() + "-" + table + ".nft");
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new LabException("cannot write " + file, e);
        }
        host.run("nft", "-f", file.toString());
        return new PathBlock(host, table, description);
    }

    private static String family(String ip) {
        return ip.contains(":") ? "ip6" : "ip";
    }

    /** The nftables table holding this block's rules (family {@code inet}). */
    public String table() {
        return table;
    }

    public synchronized boolean inForce() {
        return inForce;
    }

    /** Deletes the rules: the path is back. Idempotent. */
    public synchronized void restore() {
        if (!inForce) {
            return;
        }
        host.run("nft", "delete", "table", "inet", table);
        inForce = false;
    }

    @Override
    public void close() {
        restore();
    }

    @Override
    public String toString() {
        return "block of " + description + " in " + host + (inForce() ? "" : " (restored)");
    }
}
