package org.cunicu4j.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.cunicu4j.net.PacketClassifier.Kind;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Properties of the STUN/WireGuard demux rule, checked on generated datagrams through all
 * entry points (byte[], heap and direct buffers of both byte orders, memory segments).
 *
 * <p>Generation is seeded random loops: each repetition uses seed {@code BASE_SEED +
 * repetition}, which every assertion names, so a failure reproduces exactly.
 */
class PacketClassifierTest {

    private static final long BASE_SEED = 0x5EED_2112_A442L;
    private static final int REPETITIONS = 20;
    private static final int TRIES = 100;
    private static final byte[] COOKIE = {0x21, 0x12, (byte) 0xA4, 0x42};
    private static final int[] WG_FIXED_SIZES = {0, 148, 92, 64};

    private static Random random(RepetitionInfo info) {
        return new Random(BASE_SEED + info.getCurrentRepetition());
    }

    private static String seed(RepetitionInfo info) {
        return "seed " + (BASE_SEED + info.getCurrentRepetition());
    }

    /** Classifies through every entry point; all must agree. */
    private static Kind classifyAll(byte[] datagram) {
        Kind k = PacketClassifier.classify(datagram, 0, datagram.length);
        assertThat(PacketClassifier.classify(ByteBuffer.wrap(datagram))).isEqualTo(k);
        ByteBuffer direct = ByteBuffer.allocateDirect(datagram.length).put(datagram).flip();
        assertThat(PacketClassifier.classify(direct.order(ByteOrder.LITTLE_ENDIAN))).isEqualTo(k);
        assertThat(PacketClassifier.classify(MemorySegment.ofArray(datagram), 0, datagram.length)).isEqualTo(k);
        return k;
    }

    private static byte[] randomBytes(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return b;
    }

    /** A well-formed STUN message: any type with the top two bits clear, length field matching. */
    private static byte[] stunMessage(Random r, int type, int attributeWords) {
        byte[] m = randomBytes(r, 20 + 4 * attributeWords);
        m[0] = (byte) (type >>> 8);
        m[1] = (byte) type;
        m[2] = (byte) ((4 * attributeWords) >>> 8);
        m[3] = (byte) (4 * attributeWords);
        System.arraycopy(COOKIE, 0, m, 4, 4);
        return m;
    }

    /** A WireGuard message of {@code type} 1..4 with the size that type has, random contents. */
    private static byte[] wireGuardMessage(Random r, int type) {
        int size = type == 4 ? 32 + r.nextInt(1500 - 32) : WG_FIXED_SIZES[type];
        byte[] m = randomBytes(r, size);
        m[0] = (byte) type;
        m[1] = 0;
        m[2] = 0;
        m[3] = 0;
        return m;
    }

    @RepeatedTest(REPETITIONS)
    void anyStunHeaderIsStun(RepetitionInfo info) {
        Random r = random(info);
        for (int i = 0; i < TRIES; i++) {
            int type = r.nextInt(0x4000);
            int words = r.nextInt(200);
            assertThat(classifyAll(stunMessage(r, type, words))).as(seed(info)).isEqualTo(Kind.STUN);
        }
    }

    @Test
    void stunTypesThatLookLikeAWireGuardHeaderAreStillStun() {
        // Types 0x0100..0x0400 put 1..4 then 0 in bytes 0..1; a matching length field of
        // 0 means 20 bytes (too short for WireGuard), and any other length makes byte 2 or 3 non-zero.
        Random r = new Random(BASE_SEED);
        for (int type = 0x0100; type <= 0x0400; type += 0x0100) {
            for (int words = 0; words < 64; words++) {
                assertThat(classifyAll(stunMessage(r, type, words))).as("type %x words %d", type, words)
                        .isEqualTo(Kind.STUN);
            }
        }
    }

    @RepeatedTest(REPETITIONS)
    void anyWireGuardMessageIsWireGuard(RepetitionInfo info) {
        Random r = random(info);
        for (int type = 1; type <= 4; type++) {
            for (int i = 0; i < TRIES / 4; i++) {
                assertThat(classifyAll(wireGuardMessage(r, type))).as(seed(info)).isEqualTo(Kind.WIREGUARD);
            }
        }
    }

    @RepeatedTest(REPETITIONS)
    void wireGuardWithTheCookieAsIndexIsStillWireGuard(RepetitionInfo info) {
        Random r = random(info);
        for (int type = 1; type <= 4; type++) {
            byte[] m = wireGuardMessage(r, type);
            System.arraycopy(COOKIE, 0, m, 4, 4);
            assertThat(classifyAll(m)).as(seed(info)).isEqualTo(Kind.WIREGUARD);
        }
    }

    @Test
    void keepaliveWithReceiverIndexEqualToTheCookieIsWireGuard() {
        byte[] keepalive = new byte[32];
        keepalive[0] = 4;
        System.arraycopy(COOKIE, 0, keepalive, 4, 4);
        assertThat(classifyAll(keepalive)).isEqualTo(Kind.WIREGUARD);
    }

    @Test
    void wireGuardTypeWithAWrongLengthIsNotWireGuard() {
        for (int type = 1; type <= 3; type++) {
            for (int length = 0; length <= 300; length++) {
                if (length == WG_FIXED_SIZES[type]) {
                    continue;
                }
                byte[] m = new byte[length];
                if (length > 0) {
                    m[0] = (byte) type;
                }
                assertThat(classifyAll(m)).as("type %d length %d", type, length).isNotEqualTo(Kind.WIREGUARD);
            }
        }
        for (int length = 0; length < 32; length++) {
            byte[] m = new byte[length];
            if (length > 0) {
                m[0] = 4;
            }
            assertThat(classifyAll(m)).as("transport length %d", length).isEqualTo(Kind.OTHER);
        }
    }

    @Test
    void otherTypesAndNonZeroTypeBytesAreNotWireGuard() {
        for (int b0 : new int[] {0, 5, 0x3F, 0xFF}) {
            byte[] m = new byte[148];
            m[0] = (byte) b0;
            assertThat(classifyAll(m)).as("type %d", b0).isEqualTo(Kind.OTHER);
        }
        for (int i = 1; i <= 3; i++) {
            byte[] m = new byte[64];
            m[0] = 3;
            m[i] = 1;
            assertThat(classifyAll(m)).as("byte %d set", i).isEqualTo(Kind.OTHER);
        }
    }

    @RepeatedTest(REPETITIONS)
    void channelDataAndTopBitsSetAreOther(RepetitionInfo info) {
        Random r = random(info);
        for (int i = 0; i < TRIES; i++) {
            byte[] m = randomBytes(r, 20 + r.nextInt(300));
            m[0] = (byte) (0x40 | r.nextInt(0xC0));
            System.arraycopy(COOKIE, 0, m, 4, 4);
            assertThat(classifyAll(m)).as(seed(info)).isEqualTo(Kind.OTHER);
        }
    }

    @RepeatedTest(REPETITIONS)
    void randomBytesNeverThrowAndOnlyTheSliceCounts(RepetitionInfo info) {
        Random r = random(info);
        for (int i = 0; i < TRIES; i++) {
            byte[] slice = randomBytes(r, r.nextInt(200));
            // bias some slices towards the interesting shapes
            switch (r.nextInt(4)) {
                case 0 -> { if (slice.length >= 8) System.arraycopy(COOKIE, 0, slice, 4, 4); }
                case 1 -> { if (slice.length >= 4) { slice[0] = (byte) (1 + r.nextInt(4)); slice[1] = slice[2] = slice[3] = 0; } }
                default -> { }
            }
            byte[] before = randomBytes(r, r.nextInt(40));
            byte[] after = randomBytes(r, r.nextInt(40));
            Kind expected = classifyAll(slice);

            byte[] whole = new byte[before.length + slice.length + after.length];
            System.arraycopy(before, 0, whole, 0, before.length);
            System.arraycopy(slice, 0, whole, before.length, slice.length);
            System.arraycopy(after, 0, whole, before.length + slice.length, after.length);

            ByteBuffer buf = ByteBuffer.wrap(whole).position(before.length).limit(before.length + slice.length);
            assertThat(PacketClassifier.classify(buf)).as(seed(info)).isEqualTo(expected);
            assertThat(buf.position()).isEqualTo(before.length);
            assertThat(buf.limit()).isEqualTo(before.length + slice.length);
            assertThat(PacketClassifier.classify(whole, before.length, slice.length)).as(seed(info)).isEqualTo(expected);
            assertThat(PacketClassifier.classify(MemorySegment.ofArray(whole), before.length, slice.length))
                    .as(seed(info)).isEqualTo(expected);
        }
    }

    @Test
    void aLimitInsideAMessageHidesTheRest() {
        // A 148-byte initiation seen through a 147-byte window is not an initiation.
        byte[] m = wireGuardMessage(new Random(BASE_SEED), 1);
        assertThat(PacketClassifier.classify(ByteBuffer.wrap(m).limit(147))).isEqualTo(Kind.OTHER);
        assertThat(PacketClassifier.classify(m, 0, 147)).isEqualTo(Kind.OTHER);
        // and a window that starts inside: bytes 1.. of a transport message are not WireGuard
        byte[] t = wireGuardMessage(new Random(BASE_SEED), 4);
        assertThat(PacketClassifier.classify(ByteBuffer.wrap(t).position(1))).isNotEqualTo(Kind.WIREGUARD);
    }
}
