package org.cunicu4j.stun.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.url.Transport;
import org.junit.jupiter.api.Test;

/** The relay data path (ChannelData and Send/Data indications, both ways) allocates nothing per packet. */
class AllocationGarbageTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 3478);
    private static final InetSocketAddress CHANNEL_PEER = new InetSocketAddress("203.0.113.7", 7000);
    private static final InetSocketAddress INDICATION_PEER = new InetSocketAddress("203.0.113.8", 8000);

    /** Forwards to the in-memory link until {@link #swallow} is set, then drops sends without allocating. */
    private static final class Gate implements PacketConn {
        final MemoryPacketConn inner;
        volatile boolean swallow;

        Gate(MemoryPacketConn inner) {
            this.inner = inner;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            return inner.receive(batch);
        }

        @Override
        public int send(PacketBatch batch) throws IOException {
            return swallow ? batch.count() : inner.send(batch);
        }

        @Override
        public InetSocketAddress localAddress() {
            return inner.localAddress();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void sendingAndReceivingRelayedDatagramsAllocatesNothingPerPacket() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemoryPacketConn[] pair = MemoryPacketConn.pair(CLIENT, SERVER, 8192);
        Gate gate = new Gate(pair[0]);
        try (FakeTurnServer server = new FakeTurnServer(pair[1], "alice", "wonderland");
                Allocation a = TurnClient.allocate(TurnConfig.builder(SERVER, Transport.UDP)
                        .credentials("alice", "wonderland").udpConn(gate).receiveQueue(8192, 512)
                        .rto(Duration.ofMillis(50)).requestTimeout(Duration.ofSeconds(2)).build())) {
            int channel = a.bindChannel(CHANNEL_PEER);
            a.createPermission(INDICATION_PEER.getAddress());
            gate.swallow = true;

            PacketBatch out = new PacketBatch(2, 512);
            for (int i = 0; i < 2; i++) {
                out.buffer(i).put(new byte[100]).flip();
            }
            out.setAddress(0, CHANNEL_PEER);
            out.setAddress(1, INDICATION_PEER);
            out.setCount(2);
            int rounds = 20_000;
            for (int i = 0; i < rounds; i++) {
                a.send(out);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                a.send(out);
            }
            long perSend = (mx.getCurrentThreadAllocatedBytes() - before) / (rounds * 2L);
            assertThat(perSend).as("bytes allocated per relayed datagram sent").isLessThan(8);
            assertThat(a.stats().channelDataSent()).isEqualTo(2L * rounds);
            assertThat(a.stats().sendIndications()).isEqualTo(2L * rounds);

            // the reader's work, measured on this thread: MemoryPacketConn's own waiting would blur it
            byte[] payload = new byte[100];
            java.nio.ByteBuffer channelData = java.nio.ByteBuffer.allocateDirect(200);
            ChannelData.write(channelData, channel, java.nio.ByteBuffer.wrap(payload), false);
            channelData.flip();
            java.nio.ByteBuffer dataIndication = java.nio.ByteBuffer.allocateDirect(200);
            dataIndication.put(org.cunicu4j.stun.StunMessage.builder(org.cunicu4j.stun.MessageType.DATA_INDICATION,
                    org.cunicu4j.stun.TransactionId.random()).xorPeerAddress(INDICATION_PEER).data(payload).build())
                    .flip();
            // as the UDP transport's reader hands them over: a batch slot from the server's address
            PacketBatch fromServer = new PacketBatch(2, 512);
            fromServer.buffer(0).put(channelData).flip();
            fromServer.buffer(1).put(dataIndication).flip();
            fromServer.setAddress(0, SERVER);
            fromServer.setAddress(1, SERVER);
            fromServer.setCount(2);
            org.cunicu4j.stun.client.InboundHandler reader = a.inbound();
            PacketBatch in = new PacketBatch(64, 512);
            int n = 4000;
            for (int round = 0; round < 2; round++) { // the first round warms up
                long readerBefore = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < n / 2; i++) {
                    reader.onDatagram(fromServer, 0);
                    reader.onDatagram(fromServer, 1);
                }
                long perReceived = (mx.getCurrentThreadAllocatedBytes() - readerBefore) / n;
                if (round == 1) {
                    assertThat(perReceived).as("bytes the reader allocates per relayed datagram").isLessThan(8);
                } else {
                    drain(a, in, n);
                }
            }
            assertThat(in.address(0)).isIn(CHANNEL_PEER, INDICATION_PEER);

            long takeBefore = mx.getCurrentThreadAllocatedBytes();
            drain(a, in, n);
            long perTaken = (mx.getCurrentThreadAllocatedBytes() - takeBefore) / n;
            assertThat(perTaken).as("bytes allocated per datagram received").isLessThan(8);
            assertThat(a.stats().receiveDrops()).isZero();
            assertThat(a.stats().channelDataReceived()).isEqualTo((long) n); // n/2 per round, two rounds
            assertThat(a.strangers()).isZero();
        }
    }

    private static void drain(Allocation a, PacketBatch in, int count) throws IOException {
        int got = 0;
        while (got < count) {
            got += a.receive(in);
        }
    }
}
