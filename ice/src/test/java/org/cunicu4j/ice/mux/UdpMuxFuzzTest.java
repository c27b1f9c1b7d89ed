package org.cunicu4j.ice.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cunicu4j.ice.mux.Datagrams.addr;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.stun.AttributeType;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * Random and malformed datagrams at the mux: each is counted exactly once, none throws, and
 * the reader goes on routing; the foreign-handler path allocates nothing.
 */
class UdpMuxFuzzTest {
    private static final InetSocketAddress LOCAL = addr("10.0.0.1", 4000);
    private static final int ROUNDS = 20_000;

    @Test
    void garbageIsCountedOnceAndNeverStopsRouting() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        try (UdpMux mux = UdpMux.builder(new ScriptedConn(LOCAL)).queue(1_000_000 / 64, 2048).fed()) {
            MuxedConn alice = mux.connFor("alice");
            PacketBatch batch = new PacketBatch(1, 2048);
            long valid = 0;
            for (int i = 0; i < ROUNDS; i++) {
                byte[] d = datagram(rnd);
                if (d == null) {
                    d = Datagrams.check("alice", "fuzz");
                    valid++;
                }
                InetSocketAddress from = rnd.nextBoolean() ? addr("192.0.2.1", 1 + rnd.nextInt(4))
                        : addr("2001:db8::" + Integer.toHexString(1 + rnd.nextInt(4)), 9);
                Datagrams.put(batch, 0, d, from);
                mux.dispatch(batch, 0);
                if (alice.delivered() + 1000 < mux.stats().routed()) {
                    drain(alice); // keep the queue from filling so that routed stays exact
                }
            }
            UdpMuxStats s = mux.stats();
            long accounted = s.routed() + s.unknownUfrag() + s.unroutable() + s.malformedStun() + s.queueFull()
                    + s.foreign() + s.reflexive() + s.handlerErrors();
            assertThat(accounted).as("every datagram counted once, seed %d", seed).isEqualTo(ROUNDS);
            assertThat(s.handlerErrors()).as("nothing threw, seed %d", seed).isZero();
            assertThat(s.queueFull()).as("seed %d", seed).isZero();
            assertThat(s.routed()).as("valid checks routed, seed %d", seed).isGreaterThanOrEqualTo(valid);
            assertThat(s.malformedStun()).as("seed %d", seed).isPositive();
            assertThat(s.unknownUfrag()).as("seed %d", seed).isPositive();
        }
    }

    private static void drain(MuxedConn c) {
        PacketBatch b = new PacketBatch(64, 2048);
        try {
            while (c.delivered() < c.mux().stats().routed()) {
                c.receive(b);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A bad datagram of one of several kinds, or null for "send a valid check". */
    static byte[] datagram(Random rnd) {
        switch (rnd.nextInt(8)) {
            case 0: { // random bytes
                byte[] d = new byte[rnd.nextInt(200)];
                rnd.nextBytes(d);
                return d;
            }
            case 1: { // a valid check cut short (or grown)
                byte[] d = Datagrams.check("alice", "fuzz");
                return Arrays.copyOf(d, rnd.nextInt(d.length + 8));
            }
            case 2: { // a check with bytes flipped after the header
                byte[] d = Datagrams.check("alice", "fuzz");
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    int i = 20 + rnd.nextInt(d.length - 20);
                    d[i] ^= (byte) (1 << rnd.nextInt(8));
                }
                return d;
            }
            case 3: // USERNAME without a colon, empty before the colon, or huge
                return request(switch (rnd.nextInt(3)) {
                    case 0 -> "alice";
                    case 1 -> ":alice";
                    default -> "x".repeat(500) + ":y";
                });
            case 4: // an unknown fragment
                return Datagrams.check("mallory" + rnd.nextInt(100), "fuzz");
            case 5: { // the cookie, a sane length field, garbage attributes
                int len = 4 * rnd.nextInt(20);
                ByteBuffer b = ByteBuffer.allocate(20 + len).order(ByteOrder.BIG_ENDIAN);
                b.putShort((short) 0x0001).putShort((short) len).putInt(StunMessage.MAGIC_COOKIE);
                byte[] rest = new byte[12 + len];
                rnd.nextBytes(rest);
                b.put(rest);
                return b.array();
            }
            case 6: { // a USERNAME attribute with a lying length
                byte[] d = request("alice:fuzz");
                d[22] = (byte) 0x7F;
                return d;
            }
            default:
                return null;
        }
    }

    private static byte[] request(String username) {
        byte[] u = username.getBytes(StandardCharsets.UTF_8);
        return StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                .attribute(AttributeType.USERNAME, u).build();
    }

    @Test
    void theReaderThreadSurvivesGarbage() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        ScriptedConn net = new ScriptedConn(LOCAL);
        try (UdpMux mux = UdpMux.builder(net).queue(4096, 2048).start()) { // room for the valid ones too
            MuxedConn alice = mux.connFor("alice");
            for (int i = 0; i < 2000; i++) {
                byte[] d = datagram(rnd);
                if (d != null) {
                    net.inject(d, addr("192.0.2.7", 7));
                }
            }
            net.inject(Datagrams.check("alice", "last"), addr("192.0.2.8", 8));
            Waiter.until("the last check routed after 2000 bad datagrams, seed " + seed, Duration.ofSeconds(10),
                    () -> {
                        try {
                            PacketBatch b = new PacketBatch(128, 2048);
                            while (alice.delivered() < mux.stats().routed()) {
                                int n = alice.receive(b);
                                for (int i = 0; i < n; i++) {
                                    if (b.addressEquals(i, addr("192.0.2.8", 8))) {
                                        return true;
                                    }
                                }
                            }
                            return false;
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
            assertThat(mux.failure()).isEmpty();
            assertThat(mux.stats().handlerErrors()).isZero();
        }
    }

    @Test
    void theForeignPathAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] bytes = new long[1];
        try (UdpMux mux = UdpMux.builder(new ScriptedConn(LOCAL))
                .foreign((batch, slot) -> bytes[0] += batch.buffer(slot).remaining()).fed()) {
            mux.connFor("alice");
            PacketBatch batch = new PacketBatch(16, 2048);
            for (int i = 0; i < 16; i++) {
                Datagrams.put(batch, i, Datagrams.wireGuardData(32 + 16 * i, i), addr("192.0.2.1", 1000 + i));
            }
            Runnable round = () -> {
                for (int i = 0; i < 16; i++) {
                    mux.dispatch(batch, i);
                }
            };
            for (int i = 0; i < 20_000; i++) {
                round.run();
            }
            long best = Long.MAX_VALUE;
            int rounds = 5_000;
            for (int m = 0; m < 10 && best > 0; m++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < rounds; i++) {
                    round.run();
                }
                best = Math.min(best, (mx.getCurrentThreadAllocatedBytes() - before) / (rounds * 16L));
            }
            assertThat(best).as("bytes allocated per foreign datagram").isZero();
            assertThat(mux.stats().foreign()).isPositive();
        }
    }

    @Test
    void routingDataToAnAgentAllocatesNothingInSteadyState() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (UdpMux mux = UdpMux.builder(new ScriptedConn(LOCAL)).queue(64, 2048).fed()) {
            MuxedConn alice = mux.connFor("alice");
            InetSocketAddress peer = addr("192.0.2.1", 1000);
            PacketBatch batch = new PacketBatch(16, 2048);
            Datagrams.put(batch, 0, Datagrams.check("alice", "peer"), peer);
            mux.dispatch(batch, 0); // claims the peer
            PacketBatch in = new PacketBatch(16, 2048);
            alice.receive(in);
            for (int i = 0; i < 16; i++) {
                Datagrams.put(batch, i, new byte[100 + i], peer);
            }
            Runnable round = () -> {
                for (int i = 0; i < 16; i++) {
                    mux.dispatch(batch, i);
                }
                try {
                    int got = 0;
                    while (got < 16) {
                        got += alice.receive(in);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            for (int i = 0; i < 10_000; i++) {
                round.run();
            }
            long best = Long.MAX_VALUE;
            int rounds = 2_000;
            for (int m = 0; m < 10 && best >= 8; m++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < rounds; i++) {
                    round.run();
                }
                best = Math.min(best, (mx.getCurrentThreadAllocatedBytes() - before) / (rounds * 16L));
            }
            assertThat(best).as("bytes allocated per routed data datagram").isLessThan(8);
            assertThat(mux.stats().queueFull()).isZero();
        }
    }
}
