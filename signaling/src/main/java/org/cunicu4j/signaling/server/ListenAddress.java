package org.cunicu4j.signaling.server;

import java.net.InetSocketAddress;

/** Parses the {@code --listen} forms {@code HOST:PORT}, {@code [V6]:PORT} and {@code :PORT}. */
public final class ListenAddress {

    private ListenAddress() {}

    /**
     * The socket address for {@code text}; an empty host or {@code [::]} means every address.
     *
     * @throws IllegalArgumentException when {@code text} has no port or a bad one
     */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen address needs a port (HOST:PORT): " + text);
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in listen address: " + text, e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in listen address: " + text);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("IPv6 listen address needs brackets ([ADDR]:PORT): " + text);
        }
        if (host.isEmpty() || host.equals("::") || host.equals("*")) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(host, port);
    }
}
