package org.cunicu4j.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.api.SelectedPair;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;

/**
 * {@code cunicu4j status} as text: a line about the daemon (and one with its non-zero
 * counters), then per interface a header
 * (name, device, public key, listen port, proxy mode and why) and an aligned table of its
 * peers (name or short key, state, proxy mode and why, selected pair, RTT, rx/tx, last
 * handshake, restarts; a peer's last error on a line below it). Control characters in
 * texts are shown escaped ({@link Units#printable}). With colour the state is
 * green (connected), yellow (connecting, checking, disconnected) or red (failed), and names
 * and column titles are bold. Only public keys appear. Stateless.
 */
final class StatusTable {
    private StatusTable() {}

    static final String RESET = "\033[0m";
    static final String BOLD = "\033[1m";
    static final String GREEN = "\033[32m";
    static final String YELLOW = "\033[33m";
    static final String RED = "\033[31m";

    private static final String[] COLUMNS = {"PEER", "STATE", "PROXY", "SELECTED PAIR", "RTT", "RX", "TX", "HANDSHAKE", "RESTARTS"};

    static String render(DaemonStatus s, Instant now, boolean color) {
        StringBuilder sb = new StringBuilder();
        sb.append("cunicu4j daemon ").append(Units.printable(s.version())).append(" (pid ").append(s.pid()).append(')');
        if (s.started() != null) {
            Duration up = Duration.between(s.started(), now);
            sb.append(", up ").append(up.isNegative() ? "0s" : Units.duration(up));
        }
        sb.append('\n');
        List<String> nonZero = new ArrayList<>();
        s.counters().forEach((k, v) -> {
            if (v != 0) {
                nonZero.add(Units.printable(k) + " " + v);
            }
        });
        if (!nonZero.isEmpty()) {
            sb.append("counters: ").append(String.join(", ", nonZero)).append('\n');
        }
        if (s.interfaces().isEmpty()) {
            sb.append("no interfaces\n");
        }
        for (InterfaceStatus i : s.interfaces()) {
            sb.append('\n');
            appendInterface(sb, i, now, color);
        }
        return sb.toString();
    }

    private static void appendInterface(StringBuilder sb, InterfaceStatus i, Instant now, boolean color) {
        sb.append(style("interface " + Units.printable(i.name()), BOLD, color)).append('\n');
        sb.append("  device:       ").append(Units.printable(i.device())).append('\n');
        sb.append("  public key:   ").append(i.publicKey() == null ? "(none)" : i.publicKey().toBase64()).append('\n');
        sb.append("  listen port:  ").append(i.listenPort()).append('\n');
        sb.append("  proxy:        ").append(proxy(i.proxyMode(), i.proxyReason())).append('\n');
        if (i.peers().isEmpty()) {
            sb.append("  no peers\n");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        for (PeerSessionStatus p : i.peers()) {
            rows.add(new String[] {
                p.name() != null ? Units.printable(p.name()) : shortKey(p.publicKey()),
                p.state() == null ? "-" : p.state().name().toLowerCase(Locale.ROOT),
                proxy(p.proxyMode(), p.proxyReason()),
                pair(p.selectedPair()),
                Units.rtt(p.rtt()),
                Units.bytes(p.rxBytes()),
                Units.bytes(p.txBytes()),
                Units.ago(p.lastHandshake(), now),
                Integer.toString(p.restarts()),
            });
        }
        int[] width = new int[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
            width[c] = COLUMNS[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        sb.append('\n').append("  ");
        StringBuilder header = new StringBuilder();
        for (int c = 0; c < COLUMNS.length; c++) {
            cell(header, COLUMNS[c], width[c], c == COLUMNS.length - 1);
        }
        sb.append(style(header.toString(), BOLD, color)).append('\n');
        for (int r = 0; r < rows.size(); r++) {
            PeerSessionStatus p = i.peers().get(r);
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < COLUMNS.length; c++) {
                boolean last = c == COLUMNS.length - 1;
                if (c == 1) {
                    StringBuilder state = new StringBuilder();
                    cell(state, row[c], width[c], last);
                    // colour the word, not its padding
                    String padded = state.toString();
                    String word = row[c];
                    line.append(style(word, stateColor(p.state()), color)).append(padded.substring(word.length()));
                } else {
                    cell(line, row[c], width[c], last);
                }
            }
            sb.append(stripTrailing(line)).append('\n');
            if (p.lastError() != null) {
                sb.append("  ").append(" ".repeat(width[0] + 2)).append(style("error: " + Units.printable(p.lastError()), RED, color)).append('\n');
            }
        }
    }

    private static void cell(StringBuilder sb, String text, int width, boolean last) {
        sb.append(text);
        if (!last) {
            sb.append(" ".repeat(width - text.length() + 2));
        }
    }

    private static String stripTrailing(StringBuilder sb) {
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        return sb.substring(0, end);
    }

    /** The ANSI colour of a state, or null for none. */
    static String stateColor(ConnectionState s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case CONNECTED -> GREEN;
            case CONNECTING, CHECKING, DISCONNECTED -> YELLOW;
            case FAILED -> RED;
            case IDLE, CLOSED -> null;
        };
    }

    private static String style(String text, String code, boolean color) {
        return color && code != null ? code + text + RESET : text;
    }

    /** {@code bind (our own device)}, {@code bind}, or {@code -}. */
    static String proxy(ProxyMode mode, String reason) {
        if (mode == null) {
            return "-";
        }
        return reason == null || reason.isEmpty() ? mode.configName() : mode.configName() + " (" + Units.printable(reason) + ")";
    }

    /** {@code host 10.0.0.1:51820 ↔ srflx 198.51.100.7:40000 (udp)}, or {@code -}. */
    static String pair(SelectedPair p) {
        if (p == null) {
            return "-";
        }
        return type(p.localType()) + " " + address(p.local()) + " ↔ " + type(p.remoteType()) + " " + address(p.remote())
                + (p.protocol() == null || p.protocol().isEmpty() ? "" : " (" + Units.printable(p.protocol()) + ")");
    }

    static String type(CandidateType t) {
        return t == null ? "?" : t.sdpName();
    }

    /** {@code 10.0.0.1:51820} or {@code [fd00::1]:51820}. */
    static String address(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        if (a.getAddress() == null) {
            return Units.printable(a.getHostString()) + ":" + a.getPort();
        }
        return AddressText.format(a);
    }

    /** The first 8 base64 characters and an ellipsis, as logs name peers. */
    static String shortKey(Key k) {
        return k == null ? "?" : k.toBase64().substring(0, 8) + "…";
    }
}
