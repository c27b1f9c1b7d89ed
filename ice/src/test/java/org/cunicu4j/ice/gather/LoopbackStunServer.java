package org.cunicu4j.ice.gather;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMethod;

/**
 * A tiny STUN server for tests without a lab: answers Binding requests with the source
 * address, or with a fixed address standing in for a NAT's mapping.
 */
final class LoopbackStunServer implements AutoCloseable {
    private final UdpPacketConn conn;
    private final InetSocketAddress fixedMapping;
    final AtomicInteger requests = new AtomicInteger();

    LoopbackStunServer(InetSocketAddress bind, InetSocketAddress fixedMapping) throws IOException {
        this.conn = UdpPacketConn.open(bind);
        this.fixedMapping = fixedMapping;
        Thread.ofPlatform().daemon().name("loopback-stun").start(this::serve);
    }

    InetSocketAddress address() {
        return conn.localAddress();
    }

    private void serve() {
        PacketBatch in = new PacketBatch(8, 2048);
        PacketBatch out = new PacketBatch(1, 2048);
        try {
            while (true) {
                int n = conn.receive(in);
                for (int i = 0; i < n; i++) {
                    StunMessage m;
                    try {
                        m = StunMessage.parse(in.buffer(i));
                    } catch (Exception e) {
                        continue;
                    }
                    if (!m.is(StunMethod.BINDING, StunClass.REQUEST)) {
                        continue;
                    }
                    requests.incrementAndGet();
                    InetSocketAddress from = in.address(i);
                    byte[] resp = StunMessage.builder(MessageType.BINDING_SUCCESS, m.transactionId())
                            .xorMappedAddress(fixedMapping != null ? fixedMapping : from).fingerprint().build();
                    out.buffer(0).clear().put(resp).flip();
                    out.setAddress(0, from);
                    out.setCount(1);
                    conn.send(out);
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        conn.close();
    }
}
