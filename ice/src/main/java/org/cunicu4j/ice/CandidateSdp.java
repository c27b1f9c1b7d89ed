package org.cunicu4j.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/** The SDP {@code candidate:} attribute (RFC 8839 §5.1) for UDP candidates. Stateless. */
final class CandidateSdp {
    private CandidateSdp() {}

    static String format(Candidate c) {
        StringBuilder sb = new StringBuilder(96)
                .append("candidate:").append(c.foundation())
                .append(' ').append(c.component())
                .append(" udp ").append(c.priority())
                .append(' ').append(c.address().getAddress().getHostAddress())
                .append(' ').append(c.address().getPort())
                .append(" typ ").append(c.type().sdpName());
        if (c.relatedAddress() != null) {
            sb.append(" raddr ").append(c.relatedAddress().getAddress().getHostAddress())
                    .append(" rport ").append(c.relatedAddress().getPort());
        }
        return sb.toString();
    }

    static Candidate parse(String line) {
        String s = line.strip();
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (!s.startsWith("candidate:")) {
            throw new IllegalArgumentException("candidate line does not start with 'candidate:': " + line);
        }
        String[] f = s.substring("candidate:".length()).split("\\s+");
        if (f.length < 8) {
            throw new IllegalArgumentException("candidate line has " + f.length
                    + " fields, needs at least 8 (foundation component transport priority address port typ type): "
                    + line);
        }
        String foundation = f[0];
        if (foundation.isEmpty() || foundation.length() > 32) {
            throw new IllegalArgumentException("foundation must be 1..32 characters in: " + line);
        }
        int component = parseInt(f[1], "component", line);
        if (!f[2].equalsIgnoreCase("udp")) {
            throw new IllegalArgumentException("transport '" + f[2] + "' is not udp in: " + line);
        }
        long priority = parseLong(f[3], "priority", line);
        InetAddress ip = literal(f[4], line);
        int port = port(f[5], line);
        if (!f[6].equals("typ")) {
            throw new IllegalArgumentException("expected 'typ' as field 7, got '" + f[6] + "' in: " + line);
        }
        CandidateType type = type(f[7], line);
        InetSocketAddress related = null;
        String raddr = null;
        String rport = null;
        for (int i = 8; i + 1 < f.length; i += 2) {
            switch (f[i]) {
                case "raddr" -> raddr = f[i + 1];
                case "rport" -> rport = f[i + 1];
                default -> { } // extension attributes: ignored
            }
        }
        if (raddr != null && rport != null) {
            related = new InetSocketAddress(literal(raddr, line), port(rport, line));
        } else if (raddr != null || rport != null) {
            throw new IllegalArgumentException("raddr and rport must come together in: " + line);
        }
        try {
            return new Candidate(foundation, component, priority, new InetSocketAddress(ip, port), type, related,
                    type == CandidateType.RELAY ? Candidate.RelayProtocol.UDP : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in: " + line, e);
        }
    }

    private static CandidateType type(String name, String line) {
        for (CandidateType t : CandidateType.values()) {
            if (t.sdpName().equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown candidate type '" + name + "' in: " + line);
    }

    private static InetAddress literal(String s, String line) {
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address '" + s + "' is not an IP literal in: " + line, e);
        }
    }

    private static int port(String s, String line) {
        int p = parseInt(s, "port", line);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is out of range in: " + line);
        }
        return p;
    }

    private static int parseInt(String s, String what, String line) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a number in: " + line, e);
        }
    }

    private static long parseLong(String s, String what, String line) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a number in: " + line, e);
        }
    }
}
