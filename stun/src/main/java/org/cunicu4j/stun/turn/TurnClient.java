package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.client.InboundHandler;
import org.cunicu4j.stun.client.RetransmissionPolicy;
import org.cunicu4j.stun.client.StreamStunTransport;
import org.cunicu4j.stun.client.StunClient;
import org.cunicu4j.stun.client.StunTransport;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.stun.url.Transport;

/**
 * The TURN client (RFC 8656): opens the transport to the server with the client layer
 * (an owning {@link StunClient} over UDP, a {@link StreamStunTransport} over TCP or TLS
 * over TCP) and makes an {@link Allocation} on it. Stateless; safe from any thread.
 * Sockets are made on the calling thread, so a caller inside a network namespace gets
 * them there.
 */
public final class TurnClient {
    private TurnClient() {}

    /**
     * Connects to the server of {@code config} and allocates a relayed UDP address with its
     * long-term credentials; blocks until the server grants it.
     *
     * @throws TurnException when the server refuses (wrong credentials: kind UNAUTHORIZED,
     *     naming the user and realm), does not answer in time (TIMEOUT), or breaks protocol
     * @throws IOException when the link cannot be opened (TCP connect, TLS handshake)
     */
    public static Allocation allocate(TurnConfig config) throws IOException {
        ScheduledExecutorService scheduler = config.scheduler();
        boolean owned = scheduler == null;
        if (owned) {
            scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("turn-timers " + config.server()).factory());
        }
        Allocation a = new Allocation(config, scheduler, owned);
        try {
            a.open(connect(config, scheduler, a.inbound()));
            return a;
        } catch (IOException | RuntimeException e) {
            a.abandon(e instanceof IOException io ? io : new IOException(e));
            throw e;
        }
    }

    private static StunTransport connect(TurnConfig config, ScheduledExecutorService scheduler, InboundHandler inbound)
            throws IOException {
        InetSocketAddress server = config.server();
        if (config.transport() == Transport.UDP) {
            PacketConn conn = config.udpConn();
            if (conn == null) {
                InetAddress any = InetAddress.getByAddress(new byte[server.getAddress().getAddress().length]);
                conn = UdpPacketConn.open(new InetSocketAddress(any, 0));
            }
            RetransmissionPolicy policy = new RetransmissionPolicy(config.rto(), RetransmissionPolicy.DEFAULT.requests(),
                    RetransmissionPolicy.DEFAULT.lastWaitMultiplier(), config.requestTimeout());
            return StunClient.owningTransport(conn, server, inbound, policy, scheduler);
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis());
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            try {
                socket.connect(server, timeout);
            } catch (IOException e) {
                throw new IOException("cannot connect to TURN server " + hostPort(server) + " over TCP: "
                        + e.getMessage(), e);
            }
            if (config.transport() == Transport.TLS) {
                socket = startTls(config, socket, timeout);
            }
            return StreamStunTransport.over(socket, config.transport() == Transport.TLS ? "TLS" : "TCP",
                    config.requestTimeout(), inbound, scheduler);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static Socket startTls(TurnConfig config, Socket tcp, int timeout) throws IOException {
        SSLContext ctx = config.sslContext() != null ? config.sslContext() : TlsTrust.systemDefault();
        String name = config.tlsHostname() != null ? config.tlsHostname()
                : config.server().getAddress().getHostAddress();
        return TlsTrust.handshake(tcp, ctx, name, java.time.Duration.ofMillis(timeout));
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
