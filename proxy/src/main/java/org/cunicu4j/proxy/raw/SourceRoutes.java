package org.cunicu4j.proxy.raw;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * Which IPv4 source address the kernel would use towards a destination: a route lookup by
 * connecting an unbound UDP socket (a connect sends nothing; {@code getsockname} then shows
 * the source the routing chose) and disconnecting it again. What {@link RawUdpConn} writes
 * into the IPv4 header it builds, so that its UDP checksum covers the address really sent.
 *
 * <p>The socket is opened in the calling thread's network namespace and keeps it. It carries
 * no fwmark, so policy routing by mark (a full-tunnel setup) may answer for the unmarked
 * path. Thread-safe (one lookup at a time); allocates per lookup (control plane only).
 */
final class SourceRoutes implements AutoCloseable {
    private static final int DISCARD_PORT = 9;

    private final DatagramChannel channel;

    private SourceRoutes(DatagramChannel channel) {
        this.channel = channel;
    }

    static SourceRoutes open() throws IOException {
        return new SourceRoutes(DatagramChannel.open(StandardProtocolFamily.INET));
    }

    /**
     * Writes into {@code out4} the source address for {@code dst4}.
     *
     * @return false when there is no route (or the lookup failed otherwise)
     */
    synchronized boolean source(byte[] dst4, byte[] out4) {
        try {
            channel.connect(new InetSocketAddress(InetAddress.getByAddress(dst4), DISCARD_PORT));
            try {
                InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
                InetAddress a = local == null ? null : local.getAddress();
                if (!(a instanceof Inet4Address) || a.isAnyLocalAddress()) {
                    return false;
                }
                System.arraycopy(a.getAddress(), 0, out4, 0, 4);
                return true;
            } finally {
                channel.disconnect();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was sent on it
        }
    }
}
