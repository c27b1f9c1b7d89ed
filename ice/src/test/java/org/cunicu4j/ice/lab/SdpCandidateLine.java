package org.cunicu4j.ice.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * An SDP candidate-attribute value (RFC 8839 §5.1), the lab's neutral form for handing
 * candidates between agents of different implementations:
 * {@code candidate:<foundation> <component> UDP <priority> <address> <port> typ <type>
 * [raddr <address> rport <port>]}. A leading {@code a=} is accepted; extensions after the
 * related address are ignored. Only what the interop harness needs: numeric addresses, UDP.
 */
record SdpCandidateLine(String foundation, int component, long priority, InetSocketAddress address, String type,
        InetSocketAddress related) {

    static String format(String foundation, int component, long priority, InetSocketAddress address, String type,
            InetSocketAddress related) {
        StringBuilder sb = new StringBuilder("candidate:").append(foundation).append(' ').append(component)
                .append(" udp ").append(priority).append(' ').append(address.getAddress().getHostAddress())
                .append(' ').append(address.getPort()).append(" typ ").append(type);
        if (related != null) {
            sb.append(" raddr ").append(related.getAddress().getHostAddress())
                    .append(" rport ").append(related.getPort());
        }
        return sb.toString();
    }

    static SdpCandidateLine parse(String line) {
        String s = line.strip();
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (s.startsWith("candidate:")) {
            s = s.substring("candidate:".length());
        }
        String[] f = s.split("\\s+");
        if (f.length < 8 || !f[6].equals("typ") || !f[2].equalsIgnoreCase("udp")) {
            throw new IllegalArgumentException("not a UDP candidate line: '" + line + "'");
        }
        InetSocketAddress related = null;
        for (int i = 8; i + 3 < f.length; i += 2) {
            if (f[i].equals("raddr") && f[i + 2].equals("rport")) {
                related = new InetSocketAddress(numeric(f[i + 1], line), Integer.parseInt(f[i + 3]));
                break;
            }
        }
        return new SdpCandidateLine(f[0], Integer.parseInt(f[1]), Long.parseLong(f[3]),
                new InetSocketAddress(numeric(f[4], line), Integer.parseInt(f[5])), f[7], related);
    }

    private static InetAddress numeric(String text, String line) {
        if (!text.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("address '" + text + "' is not numeric in '" + line + "'");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address '" + text + "' in '" + line + "'", e);
        }
    }
}
