package org.cunicu4j.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Resolves a configured static endpoint ({@code host:port}, {@code [v6]:port}) to a socket
 * address, as {@code wg} does (a name is looked up once, when the configuration is applied).
 * Stateless.
 */
final class Endpoints {
    private Endpoints() {}

    /**
     * @param text the {@code endpoint} value
     * @param where names the peer, key and file for the error
     * @throws DaemonException when it does not parse or the name does not resolve
     */
    static InetSocketAddress resolve(String text, String where) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new DaemonException("endpoint '" + text + "' is not [address]:port (" + where + ")");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new DaemonException("endpoint '" + text + "' is not host:port (" + where + ")");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new DaemonException("endpoint '" + text + "' has no port 1..65535 (" + where + ")");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new DaemonException("endpoint '" + text + "': cannot resolve " + host + " (" + where + ")", e);
        }
    }
}
