package org.cunicu4j.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.control.AddressText;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.PeerStatus;

/**
 * The text of {@code wg show}, byte for byte as wireguard-tools prints it: the pretty form
 * (peers with the latest handshake first, ANSI colours only when asked) and the
 * tab-separated {@code dump}. Private and preshared keys show as {@code (hidden)} in the
 * pretty form; the dump prints them, as {@code wg show dump} does. Stateless.
 */
final class WgShowFormat {
    private WgShowFormat() {}

    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String CYAN = "\u001b[36m";
    private static final String RED = "\u001b[31m";

    /** The pretty form of {@code wg show <name>}, {@code now} for the handshake ages. */
    static String pretty(String name, DeviceStatus s, Instant now, boolean color) {
        Out o = new Out(color);
        o.raw(RESET);
        o.raw(GREEN + BOLD).text("interface").raw(RESET).text(": ").raw(GREEN).text(name).raw(RESET).text("\n");
        if (s.privateKey() != null) {
            o.field("public key", s.publicKey().toBase64());
            o.field("private key", "(hidden)");
        }
        if (s.listenPort() != 0) {
            o.field("listening port", Integer.toString(s.listenPort()));
        }
        if (s.fwmark() != 0) {
            o.field("fwmark", "0x" + Integer.toHexString(s.fwmark()));
        }
        List<PeerStatus> peers = new ArrayList<>(s.peers());
        if (!peers.isEmpty()) {
            // wg sorts by the latest handshake, newest first (a stable sort keeps the device's order otherwise)
            peers.sort(Comparator.comparingLong((PeerStatus p) -> p.lastHandshake() == null ? 0 : p.lastHandshake().getEpochSecond())
                    .thenComparingLong(p -> p.lastHandshake() == null ? 0 : p.lastHandshake().getNano()).reversed());
            o.text("\n");
        }
        for (int i = 0; i < peers.size(); i++) {
            PeerStatus p = peers.get(i);
            o.raw(YELLOW + BOLD).text("peer").raw(RESET).text(": ").raw(YELLOW).text(p.publicKey().toBase64()).raw(RESET).text("\n");
            if (p.presharedKey() != null) {
                o.field("preshared key", "(hidden)");
            }
            if (p.endpoint() != null) {
                o.field("endpoint", AddressText.format(p.endpoint()));
            }
            o.text("  ").raw(BOLD).text("allowed ips").raw(RESET).text(": ");
            if (p.allowedIps().isEmpty()) {
                o.text("(none)\n");
            } else {
                for (int j = 0; j < p.allowedIps().size(); j++) {
                    IpPrefix a = p.allowedIps().get(j);
                    o.text(AddressText.format(a.address())).raw(CYAN).text("/").raw(RESET).text(Integer.toString(a.bits()))
                            .text(j + 1 < p.allowedIps().size() ? ", " : "\n");
                }
            }
            if (p.lastHandshake() != null && p.lastHandshake().getEpochSecond() != 0) {
                o.text("  ").raw(BOLD).text("latest handshake").raw(RESET).text(": ");
                ago(o, p.lastHandshake().getEpochSecond(), now.getEpochSecond());
                o.text("\n");
            }
            if (p.rxBytes() != 0 || p.txBytes() != 0) {
                o.text("  ").raw(BOLD).text("transfer").raw(RESET).text(": ");
                bytes(o, p.rxBytes());
                o.text(" received, ");
                bytes(o, p.txBytes());
                o.text(" sent\n");
            }
            if (p.persistentKeepaliveSeconds() != 0) {
                o.text("  ").raw(BOLD).text("persistent keepalive").raw(RESET).text(": every ");
                prettyTime(o, p.persistentKeepaliveSeconds());
                o.text("\n");
            }
            if (i + 1 < peers.size()) {
                o.text("\n");
            }
        }
        return o.toString();
    }

    /**
     * {@code wg show <name> dump}: the device line (private key, public key, port, fwmark)
     * then one line per peer, tab-separated, each prefixed with the name and a tab when
     * {@code withInterface} (as for {@code wg show all dump}).
     */
    static String dump(String name, DeviceStatus s, boolean withInterface) {
        StringBuilder sb = new StringBuilder();
        String prefix = withInterface ? name + "\t" : "";
        sb.append(prefix)
                .append(s.privateKey() == null ? "(none)" : s.privateKey().toBase64()).append('\t')
                .append(s.privateKey() == null ? "(none)" : s.publicKey().toBase64()).append('\t')
                .append(s.listenPort()).append('\t')
                .append(s.fwmark() == 0 ? "off" : "0x" + Integer.toHexString(s.fwmark())).append('\n');
        for (PeerStatus p : s.peers()) {
            sb.append(prefix).append(p.publicKey().toBase64()).append('\t')
                    .append(p.presharedKey() == null ? "(none)" : p.presharedKey().toBase64()).append('\t')
                    .append(p.endpoint() == null ? "(none)" : AddressText.format(p.endpoint())).append('\t');
            if (p.allowedIps().isEmpty()) {
                sb.append("(none)");
            } else {
                for (int j = 0; j < p.allowedIps().size(); j++) {
                    sb.append(j == 0 ? "" : ",").append(AddressText.format(p.allowedIps().get(j)));
                }
            }
            sb.append('\t').append(p.lastHandshake() == null ? 0 : p.lastHandshake().getEpochSecond()).append('\t')
                    .append(Long.toUnsignedString(p.rxBytes())).append('\t')
                    .append(Long.toUnsignedString(p.txBytes())).append('\t')
                    .append(p.persistentKeepaliveSeconds() == 0 ? "off" : Integer.toString(p.persistentKeepaliveSeconds()))
                    .append('\n');
        }
        return sb.toString();
    }

    private static void ago(Out o, long then, long now) {
        if (now == then) {
            o.text("Now");
        } else if (now < then) {
            o.text("(").raw(RED).text("System clock wound backward; connection problems may ensue.").raw(RESET).text(")");
        } else {
            prettyTime(o, now - then);
            o.text(" ago");
        }
    }

    private static void prettyTime(Out o, long left) {
        long years = left / (365 * 24 * 3600L);
        left %= 365 * 24 * 3600L;
        long days = left / (24 * 3600);
        left %= 24 * 3600;
        long hours = left / 3600;
        left %= 3600;
        long minutes = left / 60;
        long seconds = left % 60;
        boolean any = false;
        any = unit(o, any, years, "year");
        any = unit(o, any, days, "day");
        any = unit(o, any, hours, "hour");
        any = unit(o, any, minutes, "minute");
        unit(o, any, seconds, "second");
    }

    private static boolean unit(Out o, boolean any, long n, String name) {
        if (n == 0) {
            return any;
        }
        o.text((any ? ", " : "") + n + " ").raw(CYAN).text(name + (n == 1 ? "" : "s")).raw(RESET);
        return true;
    }

    private static void bytes(Out o, long b) {
        double d = b < 0 ? b + 0x1p64 : b; // unsigned
        String unit;
        String number;
        if (Long.compareUnsigned(b, 1024L) < 0) {
            number = Long.toString(b);
            unit = "B";
        } else {
            String[] units = {"KiB", "MiB", "GiB", "TiB"};
            int k = 0;
            double v = d / 1024;
            while (k < 3 && v >= 1024) {
                v /= 1024;
                k++;
            }
            number = String.format(Locale.ROOT, "%.2f", v);
            unit = units[k];
        }
        o.text(number + " ").raw(CYAN).text(unit).raw(RESET);
    }

    /** Text with optional ANSI escapes. */
    private static final class Out {
        private final StringBuilder sb = new StringBuilder(512);
        private final boolean color;

        Out(boolean color) {
            this.color = color;
        }

        Out raw(String escape) {
            if (color) {
                sb.append(escape);
            }
            return this;
        }

        Out text(String s) {
            sb.append(s);
            return this;
        }

        void field(String name, String value) {
            text("  ").raw(BOLD).text(name).raw(RESET).text(": ").text(value).text("\n");
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
