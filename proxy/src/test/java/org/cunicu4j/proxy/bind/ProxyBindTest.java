package org.cunicu4j.proxy.bind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.UdpBindOptions;
import org.cunicu4j.wireguard.conn.UdpEndpoint;
import org.junit.jupiter.api.Test;

/**
 * ProxyBind's relayed endpoints: the synthetic sources and their table, the relay receive
 * function, sends, re-open, a connection closed under the pump, and the drop of real
 * datagrams from the discard prefix.
 */
class ProxyBindTest {
    private static final InetSocketAddress A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40001);
    private static final InetSocketAddress B = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40002);

    @Test
    void syntheticAddressesAreRecognisedAndNothingElseIs() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        PacketBatch batch = new PacketBatch(1, 64);
        for (int i = 0; i < 10_000; i++) {
            int slot = r.nextInt(1 << 16);
            int generation = r.nextInt();
            byte[] syn = RelayEndpoint.syntheticAddress(slot, generation);
            assertThat(RelayEndpoint.slotOf(syn)).as("seed %d slot %d", seed, slot).isEqualTo(slot);
            assertThat(RelayEndpoint.generationOf(syn)).as("seed %d generation %d", seed, generation).isEqualTo(generation);
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
            batch.setAddress(0, other, 0, 16, 1 + r.nextInt(65535));
            assertThat(ProxyBind.inDiscardPrefix(batch, 0)).as("seed %d: random address, any port", seed).isEqualTo(prefix);
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
                int n = receive(relayRx, in, bind);
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
            in.setAddress(0, relay.syntheticBytes(), 0, 16, ProxyBind.SYNTHETIC_PORT);
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
    @SuppressWarnings("try") // the Bind is closed and re-opened inside the block on purpose, as a device does
    void reopenReplacesTheRelayReceiverAndRelaysKeepWorking() throws Exception {
        MemoryPacketConn[] link = MemoryPacketConn.pair(A, B);
        try (ProxyBind bind = new ProxyBind()) {
            Bind.ReceiveFunc first = bind.open(0).receivers().getLast();
            RelayEndpoint relay = bind.relay(link[0], () -> B);
            try {
                // one datagram too big for the taker's slot: dropped by the queue, counted in relayDropped
                PacketBatch out = new PacketBatch(2, 256);
                put(out, 0, transport(100), A);
                put(out, 1, transport(20), A);
                out.setCount(2);
                link[1].send(out);
                PacketBatch small = new PacketBatch(4, 64);
                assertThat(receive(first, small, bind)).isEqualTo(1);
                assertThat(small.buffer(0).remaining()).isEqualTo(36);
                assertThat(bind.relayDropped()).isEqualTo(1);

                bind.close();
                assertThatThrownBy(() -> first.receive(new PacketBatch(1, 64))).isInstanceOf(ClosedChannelException.class);
                assertThat(bind.relayDropped()).as("the closed queue's drop still counts").isEqualTo(1);
                // while closed, relayed datagrams are dropped and counted
                out.setCount(1);
                put(out, 0, transport(20), A);
                link[1].send(out);
                Waiter.until("the pump dropped the datagram", Duration.ofSeconds(5), () -> relay.stats().dropped() == 1);
                assertThat(bind.relayDropped()).isEqualTo(2);

                Bind.Opened again = bind.open(0);
                assertThat(bind.relayDropped()).as("re-opening loses no count").isEqualTo(2);
                Bind.ReceiveFunc second = again.receivers().getLast();
                assertThat(second).isNotSameAs(first);
                link[1].send(out);
                PacketBatch in = new PacketBatch(4, 2048);
                assertThat(receive(second, in, bind)).isEqualTo(1);
                assertThat(bind.endpointOf(in, 0)).isSameAs(relay);

                // and the new queue's drops add to the old ones
                put(out, 0, transport(100), A);
                put(out, 1, transport(20), A);
                out.setCount(2);
                link[1].send(out);
                assertThat(receive(second, small, bind)).isEqualTo(1);
                assertThat(bind.relayDropped()).isEqualTo(3);
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void aConnectionClosedUnderThePumpClosesTheEndpoint() throws Exception {
        MemoryPacketConn[] link = MemoryPacketConn.pair(A, B);
        try (ProxyBind bind = new ProxyBind()) {
            bind.open(0);
            RelayEndpoint relay = bind.relay(link[0], () -> B);
            byte[] synthetic = relay.syntheticBytes().clone();
            assertThat(bind.relays()).isOne();
            link[0].close(); // the agent closed its connection, say
            Waiter.until("the endpoint closed itself", Duration.ofSeconds(5), relay::isClosed);
            assertThat(bind.relays()).isZero();
            PacketBatch in = new PacketBatch(1, 64);
            in.setAddress(0, synthetic, 0, 16, ProxyBind.SYNTHETIC_PORT);
            assertThat(bind.endpointOf(in, 0)).isNull();
            relay.close(); // idempotent
            Waiter.until("the pump ended", Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("proxy-relay-pump ")));
        }
    }

    @Test
    void slotsAreReusedAndAStaleGenerationFindsNothing() throws Exception {
        try (ProxyBind bind = new ProxyBind()) {
            bind.open(0);
            RelayEndpoint r0 = bind.relay(MemoryPacketConn.pair(A, B)[0], () -> B);
            RelayEndpoint r1 = bind.relay(MemoryPacketConn.pair(A, B)[0], () -> B);
            RelayEndpoint r2 = bind.relay(MemoryPacketConn.pair(A, B)[0], () -> B);
            assertThat(List.of(r0.slot(), r1.slot(), r2.slot())).containsExactly(0, 1, 2);
            byte[] old = r1.syntheticBytes().clone();
            r1.close();
            RelayEndpoint again = bind.relay(MemoryPacketConn.pair(A, B)[0], () -> B);
            try {
                assertThat(again.slot()).as("the freed slot is reused").isEqualTo(1);
                PacketBatch in = new PacketBatch(1, 64);
                in.setAddress(0, old, 0, 16, ProxyBind.SYNTHETIC_PORT);
                assertThat(bind.endpointOf(in, 0)).as("a datagram of the closed endpoint is not its successor's").isNull();
                for (RelayEndpoint r : List.of(r0, again, r2)) {
                    in.setAddress(0, r.syntheticBytes(), 0, 16, ProxyBind.SYNTHETIC_PORT);
                    assertThat(bind.endpointOf(in, 0)).isSameAs(r);
                }
                byte[] beyond = RelayEndpoint.syntheticAddress(7, 1);
                in.setAddress(0, beyond, 0, 16, ProxyBind.SYNTHETIC_PORT);
                assertThat(bind.endpointOf(in, 0)).isNull();
                assertThat(bind.relays()).isEqualTo(3);
            } finally {
                r0.close();
                again.close();
                r2.close();
            }
            assertThat(bind.relays()).isZero();
        }
    }

    @Test
    void sourcesInTheDiscardPrefixAreDroppedAndTheRestKeptInOrder() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        try (ProxyBind bind = new ProxyBind()) {
            PacketBatch batch = new PacketBatch(16, 128);
            long dropped = 0;
            for (int round = 0; round < 2000; round++) {
                int n = 1 + r.nextInt(16);
                List<Integer> keptTags = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ByteBuffer b = batch.buffer(i).clear();
                    int len = 1 + r.nextInt(120);
                    for (int k = 0; k < len; k++) {
                        b.put((byte) i);
                    }
                    b.flip();
                    byte[] addr = new byte[16];
                    r.nextBytes(addr);
                    int kind = r.nextInt(3);
                    if (kind == 0) { // 100::/64, any port
                        Arrays.fill(addr, 0, 8, (byte) 0);
                        addr[0] = 1;
                        batch.setAddress(i, addr, 0, 16, r.nextInt(65536));
                        dropped++;
                    } else {
                        if (kind == 1 && r.nextBoolean()) {
                            addr[0] = 1; // close to the prefix but outside it
                            addr[7] = (byte) (1 + r.nextInt(255));
                        }
                        batch.setAddress(i, addr, 0, kind == 1 ? 16 : 4, r.nextInt(65536));
                        keptTags.add(i * 1000 + len);
                    }
                }
                batch.setCount(n);
                int kept = bind.compactOutDiscardSources(batch, n);
                assertThat(kept).as("seed %d round %d", seed, round).isEqualTo(keptTags.size());
                for (int k = 0; k < kept; k++) {
                    ByteBuffer b = batch.buffer(k);
                    int tag = keptTags.get(k);
                    assertThat(b.remaining()).as("seed %d round %d slot %d", seed, round, k).isEqualTo(tag % 1000);
                    assertThat(b.get(b.position())).as("seed %d round %d slot %d", seed, round, k).isEqualTo((byte) (tag / 1000));
                    assertThat(ProxyBind.inDiscardPrefix(batch, k)).isFalse();
                }
                if (kept > 0) {
                    assertThat(batch.count()).isEqualTo(kept);
                }
                assertThat(bind.discardSourceDropped()).as("seed %d", seed).isEqualTo(dropped);
            }
        }
    }

    /**
     * A datagram that claims a source in {@code 100::/64} on the real IPv6 socket: in a lab
     * namespace whose loopback has {@code 100::5}, one sent from {@code [100::5]:9} (the
     * synthetic port, too) is dropped and counted; one from {@code [::1]} arrives.
     */
    @Test
    @RequiresRoot
    @RequiresTools({"ip"})
    void aRealDatagramFromTheDiscardPrefixIsDropped() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("spoof");
            h.run("ip", "link", "set", "lo", "up");
            h.run("ip", "-6", "addr", "add", "100::5/128", "dev", "lo", "nodad");
            NetNs.call(h.netns(), () -> {
                try (ProxyBind bind = new ProxyBind();
                        DatagramChannel spoof = DatagramChannel.open(StandardProtocolFamily.INET6);
                        DatagramChannel honest = DatagramChannel.open(StandardProtocolFamily.INET6)) {
                    Bind.Opened opened = bind.open(0);
                    assertThat(bind.hasIpv6()).isTrue();
                    Bind.ReceiveFunc v6 = opened.receivers().get(1);
                    spoof.bind(new InetSocketAddress(InetAddress.getByName("100::5"), ProxyBind.SYNTHETIC_PORT));
                    honest.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
                    InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("::1"), opened.port());
                    spoof.send(ByteBuffer.wrap(transport(30)), to);
                    spoof.send(ByteBuffer.wrap(transport(31)), to);
                    honest.send(ByteBuffer.wrap(transport(32)), to);
                    PacketBatch in = new PacketBatch(8, 2048);
                    assertThat(receive(v6, in, bind)).isEqualTo(1);
                    assertThat(in.buffer(0).remaining()).isEqualTo(48);
                    assertThat(in.address(0)).isEqualTo(honest.getLocalAddress());
                    assertThat(bind.discardSourceDropped()).isEqualTo(2);
                    assertThat(bind.endpointOf(in, 0)).isNotInstanceOf(RelayEndpoint.class);
                }
                return null;
            });
        }
    }

    /**
     * {@code rf.receive(batch)} on a helper thread, at most 5 s; on a timeout the Bind is
     * closed (waking the helper, which is then joined: no thread outlives the test).
     */
    static int receive(Bind.ReceiveFunc rf, PacketBatch batch, ProxyBind bind) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name("proxybindtest-receive").start(() -> {
            try {
                f.complete(rf.receive(batch));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        boolean done = false;
        try {
            int n = f.get(5, TimeUnit.SECONDS);
            done = true;
            return n;
        } catch (ExecutionException e) {
            done = true;
            throw (Exception) e.getCause();
        } finally {
            if (!done) {
                bind.close();
                t.join(5000);
            }
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
