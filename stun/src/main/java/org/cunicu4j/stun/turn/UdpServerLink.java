package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * A {@link ServerLink} over a {@link PacketConn} that this link owns and reads alone:
 * datagrams from anyone but the server are dropped and counted.
 */
final class UdpServerLink implements ServerLink {
    private static final int MAX_DATAGRAM = 65535;

    private final PacketConn conn;
    private final InetSocketAddress server;
    private final PacketBatch sendBatch = new PacketBatch(1, MAX_DATAGRAM);
    private final PacketBatch receiveBatch = new PacketBatch(1, MAX_DATAGRAM);
    private final AtomicLong strangers = new AtomicLong();
    private final byte[] serverIp;

    UdpServerLink(PacketConn conn, InetSocketAddress server) {
        this.conn = conn;
        this.server = server;
        this.serverIp = server.getAddress().getAddress();
        sendBatch.setAddress(0, server);
        sendBatch.setCount(1);
    }

    @Override
    public void send(ByteBuffer msg) throws IOException {
        synchronized (sendBatch) {
            ByteBuffer b = sendBatch.buffer(0).clear();
            b.put(0, msg, msg.position(), msg.remaining()).limit(msg.remaining());
            conn.send(sendBatch);
        }
    }

    @Override
    public ByteBuffer receive() throws IOException {
        while (true) {
            conn.receive(receiveBatch);
            // raw comparison: PacketBatch.addressEquals would clone the server's address bytes
            if (receiveBatch.addressLength(0) == serverIp.length && receiveBatch.port(0) == server.getPort()
                    && Arrays.equals(receiveBatch.addressBytes(0), 0, serverIp.length, serverIp, 0, serverIp.length)) {
                return receiveBatch.buffer(0);
            }
            strangers.incrementAndGet();
        }
    }

    /** Datagrams dropped because they did not come from the server. */
    long strangers() {
        return strangers.get();
    }

    @Override
    public boolean reliable() {
        return false;
    }

    @Override
    public InetSocketAddress server() {
        return server;
    }

    @Override
    public InetSocketAddress localAddress() {
        return conn.localAddress();
    }

    @Override
    public String protocol() {
        return "udp";
    }

    @Override
    public void close() {
        conn.close();
    }
}
