package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.conn.testing.MemoryBind;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.tun.MemoryTun;
import org.junit.jupiter.api.Test;

/**
 * A Bind whose {@link Bind#endpointOf} gives null (as UdpBind does for an IPv6 link-local
 * source): the device keeps the peer's configured endpoint and still processes the datagrams.
 */
class NullSourceEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An endpoint that never matches a source, so every authenticated datagram asks the Bind for its source. */
    private record NeverMatches(Endpoint real) implements Endpoint {
        @Override
        public InetSocketAddress address() {
            return real.address();
        }

        @Override
        public boolean matches(PacketBatch batch, int slot) {
            return false;
        }
    }

    /** MemoryBind that cannot name any source (endpointOf is null) and sends to {@link NeverMatches} through the real one. */
    private record NoSourceBind(MemoryBind inner) implements Bind {
        @Override
        public Opened open(int port) throws IOException {
            return inner.open(port);
        }

        @Override
        public void send(PacketBatch batch, Endpoint endpoint) throws IOException {
            inner.send(batch, endpoint instanceof NeverMatches n ? n.real() : endpoint);
        }

        @Override
        public Endpoint parseEndpoint(String text) {
            return inner.parseEndpoint(text);
        }

        @Override
        public Endpoint endpointOf(PacketBatch batch, int slot) {
            return null;
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
    void handshakeAndTransportFromAnUnnameableSourceKeepTheEndpoint() throws Exception {
        MemoryBind[] binds = MemoryNetwork.pair();
        MemoryTun tunA = new MemoryTun("wga", 1420);
        MemoryTun tunB = new MemoryTun("wgb", 1420);
        Key keyA = Key.generatePrivate();
        Key keyB = Key.generatePrivate();
        try (Device a = Device.open(tunA, binds[0], DeviceOptions.defaults().withPrivateKey(keyA));
                Device b = Device.open(tunB, new NoSourceBind(binds[1]), DeviceOptions.defaults().withPrivateKey(keyB))) {
            a.apply(DeviceUpdate.peers(DevicePair.peer(keyB.publicKey(), "10.0.0.2/32")));
            b.apply(DeviceUpdate.peers(DevicePair.peer(keyA.publicKey(), "10.0.0.1/32")));
            a.setEndpoint(keyB.publicKey(), binds[1].endpoint());
            b.setEndpoint(keyA.publicKey(), new NeverMatches(binds[0].endpoint()));

            // A initiates: B answers to the configured endpoint (the initiation's source is null)
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(60, 1));
            tunA.inject(ping);
            assertThat(tunB.take(WAIT)).as("A %s B %s", a.counters(), b.counters()).isEqualTo(ping);
            // transport from A: every packet asks for its source (null); B still reaches A
            for (int i = 0; i < 3; i++) {
                byte[] pong = Packets.ipv4("10.0.0.2", "10.0.0.1", Packets.payload(60, 2 + i));
                tunB.inject(pong);
                assertThat(tunA.take(WAIT)).as("reply %d", i).isEqualTo(pong);
                byte[] again = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(60, 10 + i));
                tunA.inject(again);
                assertThat(tunB.take(WAIT)).as("ping %d", i).isEqualTo(again);
            }
            assertThat(b.status().peers().getFirst().endpoint()).isEqualTo(binds[0].endpoint().address());
            assertThat(b.counters().dropped(DropReason.NO_ENDPOINT)).isZero();
        }
    }
}
