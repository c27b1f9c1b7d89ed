package org.cunicu4j.daemon;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * Picks a WireGuard listen port: the configured {@code listen_port}, else the first port of
 * {@code listen_port_range} free for UDP on IPv4 and IPv6 (probed by binding and closing a
 * socket, in the calling thread's namespace), else 0 (the device chooses). Stateless; public
 * for {@code autocfg.AutoConfig}.
 */
public final class ListenPorts {
    private ListenPorts() {}

    /**
     * @param port the configured port or null
     * @param min the range's first port or 0 for none
     * @param max the range's last port
     * @param source names the keys and file for the error
     * @throws DaemonException when every port of the range is taken
     */
    public static int choose(Integer port, int min, int max, String source) {
        if (port != null && port > 0) {
            return port;
        }
        if (min <= 0) {
            return 0;
        }
        for (int p = min; p <= max; p++) {
            if (free(p)) {
                return p;
            }
        }
        throw new DaemonException("no free UDP port in listen_port_range " + min + "-" + max + " (" + source + ")");
    }

    /**
     * Whether UDP port {@code port} can be bound: on the IPv6 wildcard (dual stack, so it
     * checks IPv4 too), or on IPv4 alone where there is no IPv6.
     */
    public static boolean free(int port) {
        try (DatagramChannel v6 = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            v6.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
            return true;
        } catch (UnsupportedOperationException | IOException e) {
            if (!(e instanceof UnsupportedOperationException) && !isNoIpv6(e)) {
                return false;
            }
        }
        try (DatagramChannel v4 = DatagramChannel.open(StandardProtocolFamily.INET)) {
            v4.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isNoIpv6(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("not supported") || m.contains("Address family");
    }
}
