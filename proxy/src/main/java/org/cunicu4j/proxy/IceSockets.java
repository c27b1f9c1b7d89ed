package org.cunicu4j.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.linux.socket.UdpSocket;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * What the modes for an external device share when they set up: ICE muxes on sockets of
 * their own (user, nftables, iptables) and the check of a device's listen port. Stateless.
 */
public final class IceSockets {
    private static final System.Logger LOG = System.getLogger(IceSockets.class.getName());

    private IceSockets() {}

    /**
     * Opens a server-reflexive {@link UdpMux} per address family on an ephemeral port, in the
     * calling thread's network namespace: IPv4 on {@code 0.0.0.0}, IPv6 on {@code ::} with
     * IPV6_V6ONLY. A family the host lacks is skipped (logged).
     *
     * @param owner names the caller in the log and the error, e.g. {@code "NftablesProxy of wg0"}
     * @return the muxes, IPv4 first; the caller owns them
     * @throws IOException when neither family can be opened
     */
    public static List<UdpMux> openWildcardMuxes(String owner) throws IOException {
        List<UdpMux> muxes = new ArrayList<>(2);
        IOException first = null;
        try {
            muxes.add(UdpMux.builder(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0)).serverReflexive().start());
        } catch (IOException e) {
            first = e;
        }
        try {
            muxes.add(UdpMux.builder(openV6Only()).serverReflexive().start());
        } catch (IOException e) {
            if (first != null) {
                first.addSuppressed(e);
            } else {
                LOG.log(System.Logger.Level.INFO, "{0}: no IPv6 socket ({1}); IPv4 only", owner, e.getMessage());
            }
        }
        if (muxes.isEmpty()) {
            throw new IOException(owner + ": no ICE socket could be opened", first);
        }
        return muxes;
    }

    private static UdpPacketConn openV6Only() throws IOException {
        UdpSocket s = UdpSocket.open(SocketConstants.AF_INET6);
        try {
            s.setDualStack(false);
            s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[16]), 0));
            return UdpPacketConn.of(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Checks a device's listen port.
     *
     * @throws IllegalArgumentException naming the device when {@code port} is not 1..65535
     */
    public static void checkListenPort(WireGuardControl control, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the listen port of " + control.name() + " must be 1..65535, got " + port);
        }
    }
}
