package org.cunicu4j.stun.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.junit.jupiter.api.Test;

/**
 * The client layer's per-datagram paths allocate nothing while transactions are pending:
 * the UDP reader's handling of data and of responses to no one, {@code send}, and on a
 * stream the framer, the hand-off to the handler and {@code send}. Measured on the test
 * thread with the JVM's per-thread allocation counter.
 */
class ClientGarbageTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("198.18.0.10", 3478);
    private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.7", 7000);
    private static final int ROUNDS = 20_000;
    private static final RetransmissionPolicy SLOW = new RetransmissionPolicy(Duration.ofSeconds(30), 1, 1);

    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Swallows sends, never receives (the test drives the reader's work itself). */
    private static final class Sink implements PacketConn {
        final AtomicLong sent = new AtomicLong();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public int receive(PacketBatch batch) throws java.io.IOException {
            closed.join();
            throw new java.nio.channels.ClosedChannelException();
        }

        @Override
        public int send(PacketBatch batch) {
            sent.incrementAndGet();
            return batch.count();
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("10.0.0.1", 40000);
        }

        @Override
        public void close() {
            closed.complete(null);
        }
    }

    /** Counts what reaches it through the raw form, reading the source without building it. */
    private static final class CountingHandler implements InboundHandler {
        long datagrams;
        long ports;

        @Override
        public void onInbound(ByteBuffer data, InetSocketAddress from) {
            throw new AssertionError("the UDP reader must use onDatagram");
        }

        @Override
        public void onDatagram(PacketBatch batch, int slot) {
            datagrams++;
            ports += batch.port(slot);
        }
    }

    @Test
    void theUdpReaderAndSendAllocateNothingPerDatagram() throws Exception {
        CountingHandler handler = new CountingHandler();
        Sink sink = new Sink();
        try (StunClient client = StunClient.owning(sink, handler, SLOW, null)) {
            CompletableFuture<StunResponse> pending = client.request(BindingClient.bindingRequest(), SERVER, SLOW);
            PacketBatch in = new PacketBatch(4, 512);
            fill(in, 0, new byte[] {0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4}); // ChannelData
            fill(in, 1, StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                    .xorPeerAddress(PEER).data(new byte[100]).build());
            fill(in, 2, StunMessage.builder(MessageType.BINDING_SUCCESS, TransactionId.random())
                    .xorMappedAddress(PEER).build()); // a response to no pending transaction
            byte[] wireGuard = new byte[148];
            wireGuard[0] = 1;
            fill(in, 3, wireGuard);
            in.setCount(4);

            ByteBuffer out = ByteBuffer.allocateDirect(200).put(new byte[120]).flip();
            for (int round = 0; round < 2; round++) { // the first round warms up
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < ROUNDS; i++) {
                    for (int slot = 0; slot < 4; slot++) {
                        client.handle(in, slot);
                    }
                }
                long perRead = (mx.getCurrentThreadAllocatedBytes() - before) / (ROUNDS * 4L);
                before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < ROUNDS; i++) {
                    client.send(out, PEER);
                }
                long perSend = (mx.getCurrentThreadAllocatedBytes() - before) / ROUNDS;
                if (round == 1) {
                    assertThat(perRead).as("bytes allocated per datagram read").isLessThan(8);
                    assertThat(perSend).as("bytes allocated per datagram sent").isLessThan(8);
                }
            }
            assertThat(handler.datagrams).as("everything but the pending transaction's answer is handed on")
                    .isEqualTo(2L * ROUNDS * 4);
            assertThat(handler.ports).isEqualTo(2L * ROUNDS * 4 * PEER.getPort());
            assertThat(sink.sent.get()).isEqualTo(1 + 2L * ROUNDS);
            assertThat(pending).isNotDone();
            assertThat(client.pending()).isEqualTo(1);
            assertThat(out.position()).as("send leaves the position").isZero();
        }
    }

    @Test
    void theStreamReaderAndSendAllocateNothingPerFrame() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
                try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        total += n;
                    }
                    return total;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long[] frames = new long[1];
            InboundHandler handler = (data, from) -> frames[0] += data.remaining();
            try (StreamStunTransport t = StreamStunTransport.connectTcp(
                    (InetSocketAddress) listener.getLocalSocketAddress(), Duration.ofSeconds(30), handler)) {
                byte[] request = BindingClient.bindingRequest();
                CompletableFuture<StunResponse> pending = t.request(request);
                byte[] channelData = {0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0}; // padded on the stream
                byte[] indication = StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                        .xorPeerAddress(PEER).data(new byte[100]).build();
                byte[] stray = StunMessage.builder(MessageType.BINDING_SUCCESS, TransactionId.random())
                        .xorMappedAddress(PEER).build();
                StreamFramer framer = new StreamFramer();
                ByteBuffer out = ByteBuffer.allocateDirect(200).put(new byte[] {0x40, 0x02, 0x00, 0x03, 7, 8, 9})
                        .flip();
                long expected = 0;
                for (int round = 0; round < 2; round++) { // the first round warms up
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < ROUNDS; i++) {
                        framer.feed(channelData, 0, channelData.length);
                        framer.feed(indication, 0, indication.length);
                        framer.feed(stray, 0, stray.length);
                        ByteBuffer frame;
                        while ((frame = framer.nextView()) != null) {
                            t.deliver(frame);
                        }
                    }
                    long perRead = (mx.getCurrentThreadAllocatedBytes() - before) / (ROUNDS * 3L);
                    before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < ROUNDS; i++) {
                        t.send(out);
                    }
                    long perSend = (mx.getCurrentThreadAllocatedBytes() - before) / ROUNDS;
                    expected += ROUNDS * (9L + indication.length + stray.length);
                    if (round == 1) {
                        assertThat(perRead).as("bytes allocated per frame read").isLessThan(8);
                        assertThat(perSend).as("bytes allocated per frame sent").isLessThan(8);
                    }
                }
                assertThat(frames[0]).as("ChannelData without padding, the indication, the stray response")
                        .isEqualTo(expected);
                assertThat(framer.buffered()).isZero();
                assertThat(pending).isNotDone();
                t.close();
                // each send of 7 bytes of ChannelData went out padded to 8, after the request
                assertThat(drained.get(5, java.util.concurrent.TimeUnit.SECONDS))
                        .isEqualTo(request.length + 2L * ROUNDS * 8);
            }
        }
    }

    private static void fill(PacketBatch batch, int slot, byte[] bytes) {
        batch.buffer(slot).clear().put(bytes).flip();
        batch.setAddress(slot, PEER);
    }
}
