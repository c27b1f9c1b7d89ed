package org.cunicu4j.ice.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.ice.mux.Datagrams.addr;
import static org.cunicu4j.ice.mux.Datagrams.check;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMethod;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/** Routing of the UdpMux on in-memory conns: by fragment, by learnt address, to the foreign handler. */
class UdpMuxTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final InetSocketAddress LOCAL = addr("10.0.0.1", 4000);
    private static final InetSocketAddress R1 = addr("192.0.2.1", 5001);
    private static final InetSocketAddress R2 = addr("192.0.2.2", 5002);
    private static final InetSocketAddress R3 = addr("2001:db8::3", 5003);

    record Got(byte[] data, InetSocketAddress from) {
        StunMessage stun() throws Exception {
            return StunMessage.parse(data);
        }
    }

    static Got receive(PacketConn conn) throws Exception {
        CompletableFuture<Got> f = CompletableFuture.supplyAsync(() -> {
            PacketBatch b = new PacketBatch(1, 4096);
            try {
                conn.receive(b);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            ByteBuffer buf = b.buffer(0);
            byte[] d = new byte[buf.remaining()];
            buf.get(d);
            return new Got(d, b.address(0));
        });
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static void send(PacketConn conn, byte[] data, InetSocketAddress to) throws Exception {
        PacketBatch b = new PacketBatch(1, 4096);
        Datagrams.put(b, 0, data, to);
        b.setCount(1);
        conn.send(b);
    }

    @Test
    void twoAgentsAreRoutedByTheirUfrag() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            MuxedConn bob = mux.connFor("bobUfrag");
            assertThat(mux.connFor("aliceUfrag")).isSameAs(alice);
            net.inject(check("bobUfrag", "r2"), R2);
            net.inject(check("aliceUfrag", "r1"), R1);
            net.inject(check("carolUfrag", "r3"), R3);
            Got a = receive(alice);
            Got b = receive(bob);
            assertThat(a.from()).isEqualTo(R1);
            assertThat(a.stun().username()).contains("aliceUfrag:r1");
            assertThat(b.from()).isEqualTo(R2);
            assertThat(b.stun().username()).contains("bobUfrag:r2");
            Waiter.until("carol's check counted", WAIT, () -> mux.stats().unknownUfrag() == 1);
            assertThat(mux.stats().routed()).isEqualTo(2);
            assertThat(alice.localAddress()).isEqualTo(LOCAL);
        }
    }

    @Test
    void laterPacketsFollowTheLearntAddress() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            MuxedConn bob = mux.connFor("bobUfrag");
            net.inject(check("aliceUfrag", "r1"), R1);
            receive(alice);
            net.inject(Datagrams.success(LOCAL), R1); // no USERNAME: by address
            Got response = receive(alice);
            assertThat(response.stun().is(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)).isTrue();
            net.inject("data for alice".getBytes(), R1); // no foreign handler: the pair's data goes to the agent
            assertThat(new String(receive(alice).data())).isEqualTo("data for alice");
            net.inject(Datagrams.indication(), R2); // nobody claimed R2
            net.inject("stray".getBytes(), R3);
            Waiter.until("two unroutable", WAIT, () -> mux.stats().unroutable() == 2);
            assertThat(bob.delivered()).isZero();
            assertThat(mux.claimedAddresses()).isEqualTo(1);
        }
    }

    @Test
    void sendingClaimsTheDestinationSoItsResponseComesBack() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            MuxedConn bob = mux.connFor("bobUfrag");
            send(bob, check("r3frag", "bobUfrag"), R3);
            assertThat(net.sent()).hasSize(1);
            assertThat(net.sent().getFirst().address()).isEqualTo(R3);
            net.inject(Datagrams.success(LOCAL), R3);
            assertThat(receive(bob).from()).isEqualTo(R3);
            assertThat(alice.delivered()).isZero();
            // a check naming alice from R3 moves the claim to her
            net.inject(check("aliceUfrag", "r3frag"), R3);
            receive(alice);
            net.inject(Datagrams.success(LOCAL), R3);
            assertThat(receive(alice).from()).isEqualTo(R3);
        }
    }

    @Test
    void nonStunGoesToTheForeignHandlerEvenFromAClaimedAddress() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        List<String> seen = new CopyOnWriteArrayList<>();
        UdpMux.ForeignHandler wg = (batch, slot) -> {
            ByteBuffer b = batch.buffer(slot);
            seen.add((b.get(b.position()) & 0xFF) + "/" + b.remaining() + " from " + batch.address(slot));
        };
        try (UdpMux mux = UdpMux.builder(net).foreign(wg).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            net.inject(check("aliceUfrag", "r1"), R1);
            receive(alice);
            net.inject(Datagrams.wireGuardData(64, 7), R1);
            net.inject(Datagrams.wireGuardInitiation(), R2);
            net.inject(check("aliceUfrag", "r1"), R1); // STUN still goes to the agent
            receive(alice);
            Waiter.until("two foreign datagrams", WAIT, () -> seen.size() == 2);
            assertThat(seen).containsExactly("4/64 from " + R1, "1/148 from " + R2);
            assertThat(mux.stats().foreign()).isEqualTo(2);
            assertThat(alice.delivered()).isEqualTo(2);
        }
    }

    @Test
    void closingOneConnLeavesTheOthers() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            MuxedConn bob = mux.connFor("bobUfrag");
            net.inject(check("aliceUfrag", "r1"), R1);
            net.inject(check("bobUfrag", "r2"), R2);
            receive(alice);
            receive(bob);
            alice.close();
            alice.close();
            assertThatThrownBy(() -> alice.receive(new PacketBatch(1, 100))).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> send(alice, new byte[1], R1)).isInstanceOf(ClosedChannelException.class);
            assertThat(mux.conns()).isEqualTo(1);
            assertThat(mux.claimedAddresses()).isEqualTo(1);
            net.inject(check("aliceUfrag", "r1"), R1);
            net.inject(Datagrams.success(LOCAL), R1);
            net.inject(Datagrams.success(LOCAL), R2);
            assertThat(receive(bob).stun().is(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)).isTrue();
            Waiter.until("alice's leftovers counted", WAIT,
                    () -> mux.stats().unknownUfrag() == 1 && mux.stats().unroutable() == 1);
            // the fragment can be registered again, as a new conn
            MuxedConn again = mux.connFor("aliceUfrag");
            assertThat(again).isNotSameAs(alice);
            net.inject(check("aliceUfrag", "r1"), R1);
            assertThat(receive(again).from()).isEqualTo(R1);
        }
    }

    @Test
    void closingTheMuxWakesEveryReceiver() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        UdpMux mux = UdpMux.builder(net).start();
        MuxedConn alice = mux.connFor("aliceUfrag");
        MuxedConn bob = mux.connFor("bobUfrag");
        CompletableFuture<Got> a = CompletableFuture.supplyAsync(() -> uncheckedReceive(alice));
        CompletableFuture<Got> b = CompletableFuture.supplyAsync(() -> uncheckedReceive(bob));
        mux.close();
        for (CompletableFuture<Got> f : List.of(a, b)) {
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(ClosedChannelException.class);
        }
        assertThat(mux.failure()).isEmpty();
        assertThatThrownBy(() -> mux.connFor("carolUfrag")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        mux.close();
    }

    private static Got uncheckedReceive(PacketConn c) {
        try {
            PacketBatch b = new PacketBatch(1, 100);
            c.receive(b);
            return new Got(new byte[0], b.address(0));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aFullQueueDropsAndCounts() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).queue(2, 512).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            for (int i = 0; i < 5; i++) {
                net.inject(check("aliceUfrag", "r" + i), R1);
            }
            net.inject(new byte[600], R1); // larger than a queue slot
            Waiter.until("six datagrams accounted for", WAIT,
                    () -> mux.stats().routed() + mux.stats().queueFull() == 6);
            assertThat(mux.stats().routed()).isEqualTo(2);
            assertThat(mux.stats().queueFull()).isEqualTo(4);
            assertThat(alice.queueDrops()).isEqualTo(3);
            assertThat(alice.truncatedDrops()).isEqualTo(1);
            PacketBatch batch = new PacketBatch(4, 512);
            assertThat(alice.receive(batch)).isEqualTo(2);
            assertThat(StunMessage.parse(batch.buffer(0)).username()).contains("aliceUfrag:r0");
            assertThat(StunMessage.parse(batch.buffer(1)).username()).contains("aliceUfrag:r1");
        }
    }

    @Test
    void anAgentAndItsPeerTalkThroughTheMuxOverAMemoryLink() throws Exception {
        MemoryPacketConn[] link = MemoryPacketConn.pair(LOCAL, R1);
        try (UdpMux mux = UdpMux.builder(link[0]).start(); MemoryPacketConn peer = link[1]) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            send(peer, check("aliceUfrag", "peer"), LOCAL);
            Got check = receive(alice);
            assertThat(check.from()).isEqualTo(R1);
            send(alice, Datagrams.success(R1), check.from());
            Got response = receive(peer);
            assertThat(response.from()).isEqualTo(LOCAL);
            assertThat(response.stun().xorMappedAddress()).contains(R1);
            send(peer, "payload".getBytes(), LOCAL);
            assertThat(new String(receive(alice).data())).isEqualTo("payload");
        }
    }

    @Test
    void aRenamedConnKeepsItsAddressesAndAnswersToTheNewFragment() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).start()) {
            MuxedConn alice = mux.connFor("aliceOld");
            MuxedConn bob = mux.connFor("bobUfrag");
            net.inject(check("aliceOld", "r1"), R1);
            receive(alice);
            alice.rename("aliceNew");
            assertThat(alice.ufrag()).isEqualTo("aliceNew");
            assertThat(mux.find("aliceOld")).isEmpty();
            assertThat(mux.find("aliceNew")).contains(alice);
            net.inject(check("aliceOld", "r1"), R1);
            net.inject(Datagrams.success(LOCAL), R1); // the claim survived the rename
            assertThat(receive(alice).stun().is(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE)).isTrue();
            net.inject(check("aliceNew", "r1"), R1);
            assertThat(receive(alice).stun().username()).contains("aliceNew:r1");
            assertThat(mux.stats().unknownUfrag()).isEqualTo(1);
            assertThatThrownBy(() -> alice.rename("bobUfrag")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already registered");
            bob.close();
            alice.rename("bobUfrag"); // free again once bob closed
            alice.close();
            assertThatThrownBy(() -> alice.rename("x")).isInstanceOf(IllegalStateException.class);
            assertThat(mux.conns()).isZero();
        }
    }

    @Test
    void aThrowingForeignHandlerIsCountedAndTheReaderGoesOn() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).foreign((b, s) -> {
                    throw new IllegalStateException("handler bug");
                }).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            net.inject(Datagrams.wireGuardData(32, 1), R1);
            net.inject(check("aliceUfrag", "r1"), R1);
            assertThat(receive(alice).from()).isEqualTo(R1);
            assertThat(mux.stats().handlerErrors()).isEqualTo(1);
            assertThat(mux.stats().foreign()).isEqualTo(1);
            assertThat(mux.failure()).isEmpty();
        }
    }

    @Test
    void aDatagramLargerThanTheReceivingBufferIsDroppedNotCut() throws Exception {
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).start()) {
            MuxedConn alice = mux.connFor("aliceUfrag");
            net.inject(check("aliceUfrag", "r1"), R1);
            net.inject("small".getBytes(), R1);
            Waiter.until("both queued", WAIT, () -> mux.stats().routed() == 2);
            PacketBatch tiny = new PacketBatch(2, 16);
            assertThat(alice.receive(tiny)).isEqualTo(1);
            assertThat(new String(bytes(tiny.buffer(0)))).isEqualTo("small");
            assertThat(alice.truncatedDrops()).isEqualTo(1);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] d = new byte[b.remaining()];
        b.get(b.position(), d);
        return d;
    }

    @Test
    void badFragmentsAreRefused() {
        try (UdpMux mux = UdpMux.builder(new ScriptedConn(LOCAL)).fed()) {
            assertThatThrownBy(() -> mux.connFor("a:b")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> mux.connFor("")).isInstanceOf(IllegalArgumentException.class);
            assertThat(mux.mappedAddress(R1)).isCompletedExceptionally();
        }
    }
}
