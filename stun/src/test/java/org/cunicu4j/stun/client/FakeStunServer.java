package org.cunicu4j.stun.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.StunMessage;

/**
 * A STUN responder on one end of a {@link MemoryPacketConn} pair, for client tests: it
 * records every request and answers each with what {@code answer} returns
 * (request, number of the request starting at 1 → response bytes, or null for silence).
 */
final class FakeStunServer implements AutoCloseable {
    final MemoryPacketConn conn;
    final List<StunMessage> requests = new CopyOnWriteArrayList<>();
    private final Thread thread;

    FakeStunServer(MemoryPacketConn conn, BiFunction<StunMessage, Integer, byte[]> answer) {
        this.conn = conn;
        this.thread = Thread.ofPlatform().daemon().name("fake-stun").start(() -> {
            PacketBatch in = new PacketBatch(8, 2048);
            PacketBatch out = new PacketBatch(1, 2048);
            try {
                while (true) {
                    int n = conn.receive(in);
                    for (int i = 0; i < n; i++) {
                        StunMessage m;
                        try {
                            m = StunMessage.parse(in.buffer(i)).copy();
                        } catch (Exception e) {
                            continue;
                        }
                        requests.add(m);
                        byte[] reply = answer.apply(m, requests.size());
                        if (reply != null) {
                            out.buffer(0).clear().put(reply).flip();
                            in.copyAddress(i, out, 0);
                            out.setCount(1);
                            conn.send(out);
                        }
                    }
                }
            } catch (ClosedChannelException e) {
                // closed: done
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    InetSocketAddress address() {
        return conn.localAddress();
    }

    /** The Binding success a real server sends: XOR-MAPPED-ADDRESS of {@code mapped}. */
    static byte[] success(StunMessage request, InetSocketAddress mapped) {
        return StunMessage.builder(request.type().success(), request.transactionId()).xorMappedAddress(mapped)
                .software("fake").fingerprint().build();
    }

    @Override
    public void close() throws InterruptedException {
        conn.close();
        thread.join(5000);
    }
}
