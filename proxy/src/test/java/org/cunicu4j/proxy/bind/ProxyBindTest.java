package org.cunicu4j.proxy.bind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.UdpBindOptions;
import org.cunicu4j.wireguard.conn.UdpEndpoint;
import org.junit.jupiter.api.Test;

/** ProxyBind's relayed endpoints: the synthetic sources, the relay receive function, sends, re-open. */
class ProxyBindTest {
    private static final InetSocketAddress A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40001);
    private static final InetSocketAddress B = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40002);

    @Test
    void syntheticAddressesAreRecognisedAndNothingElseIs() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        PacketBatch batch = new PacketBatch(1, 64);
        for (int i = 0; i < 10_000; i++) {
            int id = r.nextInt();
            byte[] syn = RelayEndpoint.syntheticAddress(id);
            assertThat(RelayEndpoint.idOf(syn)).as("seed %d id %d", seed, id).isEqualTo(id);
            batch.setAddress(0, syn, 0, 16, ProxyBind.SYNTHETIC_PORT);
            assertThat(ProxyBind.isSynthetic(batch, 0)).as("seed %d", seed).isTrue();
            batch.setAddress(0, syn, 0, 16, 10 + r.nextInt(60000));
            assertThat(ProxyBind.isSynthetic(batch, 0)).as("seed %d: another port", seed).isFalse();
            byte[] other = new byte[16];
            r.nextBytes(other);
            boolean prefix = other[0] == 1 && other[1] == 0 && other[2] == 0 && other[3] == 0 && other[4] == 0
                    && other[5] == 0 && other[6] == 0 && other[7] == 0;
            batch.setAddress(0, other, 0, 16, ProxyBind.SYNTHETIC_PORT);
            assertThat(ProxyBind.isSynthetic(batch, 0)).as("seed %d: random address", seed).isEqualTo(prefix);
            batch.setAddress(0, other, 0, 4, ProxyBind.SYNTHETIC_PORT);
            assertThat(ProxyBind.isSynthetic(batch, 0)).as("seed %d: IPv4", seed).isFalse();
        }
    }

    @Test
    void needsAForeignQueue() {
        assertThatThrownBy(() -> new ProxyBind(UdpBindOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("withForeignQueue");
    }

    @Test
    void relayedDatagramsEnterThroughTheRelayReceiverWithTheirEndpoint() throws Exception {
        MemoryPacketConn[] link = MemoryPacketConn.pair(A, B);
        try (ProxyBind bind = new ProxyBind()) {
            Bind.Opened opened = bind.open(0);
            assertThat(opened.receivers()).hasSize(bind.hasIpv6() ? 3 : 2);
            Bind.ReceiveFunc relayRx = opened.receivers().getLast();
            RelayEndpoint relay = bind.relay(link[0], () -> B);
            try {
                PacketBatch out = new PacketBatch(2, 256);
                put(out, 0, new byte[] {(byte) 0xff, 1, 2, 3, 4, 5}, A); // not WireGuard: dropped by the pump
                put(out, 1, transport(40), A);
                out.setCount(2);
                link[1].send(out);

                PacketBatch in = new PacketBatch(8, 2048);
                int n = receive(relayRx, in);
                assertThat(n).isEqualTo(1);
                assertThat(in.buffer(0).remaining()).isEqualTo(56);
                assertThat(in.buffer(0).get(0)).isEqualTo((byte) 4);
                assertThat(relay.matches(in, 0)).isTrue();
                assertThat(bind.endpointOf(in, 0)).isSameAs(relay);
                assertThat(relay.address()).isEqualTo(B);
                assertThat(in.address(0)).isEqualTo(relay.syntheticAddress());
                assertThat(relay.stats().rxPackets()).isEqualTo(1);
                assertThat(relay.stats().dropped()).isEqualTo(1);

                // a plain source is the UdpBind's endpoint, and a relay endpoint does not match it
                in.setAddress(0, new byte[] {127, 0, 0, 1}, 0, 4, 5555);
                assertThat(relay.matches(in, 0)).isFalse();
                assertThat(bind.endpointOf(in, 0)).isEqualTo(UdpEndpoint.parse("127.0.0.1:5555"));

                // WireGuard's sends to the relay endpoint go to its connection
                PacketBatch send = new PacketBatch(1, 256);
                put(send, 0, transport(10), B); // an IceConnection addresses it itself
                send.setCount(1);
                bind.send(send, relay);
                PacketBatch got = new PacketBatch(4, 256);
                assertThat(link[1].receive(got)).isEqualTo(1);
                assertThat(got.buffer(0).remaining()).isEqualTo(26);
                assertThat(relay.stats().txPackets()).isEqualTo(1);
                assertThat(relay.stats().txBytes()).isEqualTo(26);
            } finally {
                relay.close();
            }
            // closed: forgotten by the Bind, sends counted not thrown
            PacketBatch in = new PacketBatch(1, 64);
            in.setAddress(0, RelayEndpoint.syntheticAddress(1), 0, 16, ProxyBind.SYNTHETIC_PORT);
            assertThat(bind.endpointOf(in, 0)).isNull();
            assertThat(bind.relays()).isZero();
            PacketBatch send = new PacketBatch(1, 64);
            put(send, 0, transport(1), B);
            send.setCount(1);
            bind.send(send, relay);
            assertThat(relay.stats().dropped()).isEqualTo(2);
        }
    }

    @Test
    void reopenReplacesTheRelayReceiverAndRelaysKeepWorking() throws Exception {
        MemoryPacketConn[] link = MemoryPacketConn.pair(A, B);
        try (ProxyBind bind = new ProxyBind()) {
            Bind.ReceiveFunc first = bind.open(0).receivers().getLast();
            RelayEndpoint relay = bind.relay(link[0], () -> B);
            try {
                bind.close();
                assertThatThrownBy(() -> first.receive(new PacketBatch(1, 64))).isInstanceOf(ClosedChannelException.class);
                // while closed, relayed datagrams are dropped and counted
                PacketBatch out = new PacketBatch(1, 256);
                put(out, 0, transport(20), A);
                out.setCount(1);
                link[1].send(out);
                Waiter.until("the pump dropped the datagram", Duration.ofSeconds(5), () -> relay.stats().dropped() == 1);
                assertThat(bind.relayDropped()).isEqualTo(1);

                Bind.Opened again = bind.open(0);
                Bind.ReceiveFunc second = again.receivers().getLast();
                assertThat(second).isNotSameAs(first);
                link[1].send(out);
                PacketBatch in = new PacketBatch(4, 2048);
                assertThat(receive(second, in)).isEqualTo(1);
                assertThat(bind.endpointOf(in, 0)).isSameAs(relay);
            } finally {
                relay.close();
            }
        }
    }

    private static int receive(Bind.ReceiveFunc rf, PacketBatch batch) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(rf.receive(batch));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /** A WireGuard transport message header (type 4, receiver, counter) and {@code payload} bytes. */
    static byte[] transport(int payload) {
        byte[] b = new byte[16 + payload];
        b[0] = 4;
        b[4] = 7;
        return b;
    }

    /** Puts {@code data} in the slot, addressed to {@code to}. */
    static void put(PacketBatch batch, int slot, byte[] data, InetSocketAddress to) {
        ByteBuffer b = batch.buffer(slot).clear();
        b.put(data).flip();
        batch.setAddress(slot, to);
    }
}
