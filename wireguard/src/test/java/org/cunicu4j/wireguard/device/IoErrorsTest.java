package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.conn.testing.MemoryBind;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.tun.MemoryTun;
import org.cunicu4j.wireguard.tun.Tun;
import org.junit.jupiter.api.Test;

/** I/O errors that are not a close: counted, and the device's loops go on. */
class IoErrorsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int FAILURES = 3;

    /** A MemoryTun whose first reads fail and which says it saw malformed input. */
    private record FlakyTun(MemoryTun inner, AtomicInteger failuresLeft) implements Tun {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int mtu() {
            return inner.mtu();
        }

        @Override
        public int read(ByteBuffer[] buffers, int max) throws IOException {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("read(TUN test): EIO (Input/output error)");
            }
            return inner.read(buffers, max);
        }

        @Override
        public boolean write(ByteBuffer packet) throws IOException {
            return inner.write(packet);
        }

        @Override
        public long malformed() {
            return 5;
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** A MemoryBind whose receive functions fail their first calls (together {@link #FAILURES} times). */
    private record FlakyBind(MemoryBind inner, AtomicInteger failuresLeft) implements Bind {
        @Override
        public Opened open(int port) throws IOException {
            Opened o = inner.open(port);
            return new Opened(o.receivers().stream().<ReceiveFunc>map(rf -> batch -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new IOException("recvmmsg(test): ENOBUFS (No buffer space available)");
                }
                return rf.receive(batch);
            }).toList(), o.port());
        }

        @Override
        public void send(PacketBatch batch, Endpoint endpoint) throws IOException {
            inner.send(batch, endpoint);
        }

        @Override
        public Endpoint parseEndpoint(String text) {
            return inner.parseEndpoint(text);
        }

        @Override
        public Endpoint endpointOf(PacketBatch batch, int slot) {
            return inner.endpointOf(batch, slot);
        }

        @Override
        public void setMark(int mark) {
            inner.setMark(mark);
        }

        @Override
        public int batchSize() {
            return inner.batchSize();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void failingReadsAreCountedAndTheLoopsGoOn() throws Exception {
        MemoryBind[] binds = MemoryNetwork.pair();
        MemoryTun tunA = new MemoryTun("wga", 1420);
        MemoryTun tunB = new MemoryTun("wgb", 1420);
        Key keyA = Key.generatePrivate();
        Key keyB = Key.generatePrivate();
        try (Device a = Device.open(tunA, binds[0], DeviceOptions.defaults().withPrivateKey(keyA));
                Device b = Device.open(new FlakyTun(tunB, new AtomicInteger(FAILURES)),
                        new FlakyBind(binds[1], new AtomicInteger(FAILURES)), DeviceOptions.defaults().withPrivateKey(keyB))) {
            a.apply(DeviceUpdate.peers(DevicePair.peer(keyB.publicKey(), "10.0.0.2/32")));
            b.apply(DeviceUpdate.peers(DevicePair.peer(keyA.publicKey(), "10.0.0.1/32")));
            a.setEndpoint(keyB.publicKey(), binds[1].endpoint());

            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(60, 1));
            tunA.inject(ping);
            assertThat(tunB.take(WAIT)).isEqualTo(ping);
            byte[] pong = Packets.ipv4("10.0.0.2", "10.0.0.1", Packets.payload(60, 2));
            tunB.inject(pong);
            assertThat(tunA.take(WAIT)).isEqualTo(pong);

            DeviceCounters c = b.counters();
            assertThat(c.dropped(DropReason.RECEIVE_FAILED)).isEqualTo(FAILURES);
            assertThat(c.dropped(DropReason.TUN_READ_FAILED)).isEqualTo(FAILURES);
            assertThat(c.dropped(DropReason.TUN_MALFORMED)).isEqualTo(5);
        }
    }
}
