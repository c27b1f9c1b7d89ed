package org.cunicu4j.stun.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.junit.jupiter.api.Test;

/** The hand-rolled data-path framing agrees with the STUN codec, both ways. */
class IndicationsTest {

    @Test
    void sendIndicationsParseWithTheCodec() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] addr = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(addr);
            int port = random.nextInt(65536);
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            ByteBuffer out = ByteBuffer.allocate(Indications.sendIndicationLength(addr.length, data.length));
            Indications.writeSend(out, addr, addr.length, port, ByteBuffer.wrap(data));
            assertThat(out.remaining()).as("seed 42 round %d: exact length", round).isZero();
            StunMessage m = StunMessage.parse(out.flip());
            assertThat(m.type()).isEqualTo(MessageType.SEND_INDICATION);
            assertThat(m.xorPeerAddress()).as("seed 42 round %d", round)
                    .contains(new InetSocketAddress(InetAddress.getByAddress(addr), port));
            ByteBuffer d = m.data().orElseThrow();
            byte[] got = new byte[d.remaining()];
            d.get(got);
            assertThat(got).as("seed 42 round %d", round).isEqualTo(data);
        }
    }

    @Test
    void dataIndicationsFromTheCodecDecode() throws Exception {
        Random random = new Random(7);
        Indications ind = new Indications();
        for (int round = 0; round < 200; round++) {
            byte[] addr = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(addr);
            int port = random.nextInt(65536);
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            byte[] msg = StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                    .xorPeerAddress(new InetSocketAddress(InetAddress.getByAddress(addr), port)).data(data)
                    .fingerprint().build();
            ByteBuffer b = ByteBuffer.wrap(msg);
            assertThat(ind.readData(b)).as("seed 7 round %d", round).isTrue();
            assertThat(Arrays.copyOf(ind.peerAddress, ind.peerAddressLength)).isEqualTo(addr);
            assertThat(ind.peerPort).isEqualTo(port);
            assertThat(Arrays.copyOfRange(msg, ind.dataOffset, ind.dataOffset + ind.dataLength)).isEqualTo(data);
        }
    }

    @Test
    void malformedDataIndicationsAreRejectedNotThrown() {
        Random random = new Random(99);
        Indications ind = new Indications();
        byte[] good = StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                .xorPeerAddress(new InetSocketAddress("192.0.2.1", 9)).data(new byte[] {1, 2, 3}).build();
        for (int round = 0; round < 2000; round++) {
            byte[] bad = Arrays.copyOf(good, random.nextInt(good.length + 8));
            for (int flips = random.nextInt(4); flips > 0 && bad.length > 0; flips--) {
                bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
            }
            ind.readData(ByteBuffer.wrap(bad)); // must not throw (seed 99)
        }
        assertThat(ind.readData(ByteBuffer.wrap(new byte[0]))).isFalse();
        assertThat(ind.readData(ByteBuffer.wrap(good))).isTrue();
    }

    @Test
    void channelDataIsPaddedOnlyWhenAsked() {
        ByteBuffer out = ByteBuffer.allocate(16);
        ChannelData.write(out, 0x4001, ByteBuffer.wrap(new byte[] {9, 8, 7}), true);
        assertThat(out.position()).isEqualTo(8);
        assertThat(Arrays.copyOf(out.array(), 8)).containsExactly(0x40, 0x01, 0, 3, 9, 8, 7, 0);
        out.clear();
        ChannelData.write(out, 0x4fff, ByteBuffer.wrap(new byte[] {9, 8, 7}), false);
        assertThat(out.position()).isEqualTo(7);
        assertThat(ChannelData.looksLike(out.flip())).isTrue();
        assertThat(ChannelData.channel(out)).isEqualTo(0x4fff);
        assertThat(ChannelData.isChannel(0x5000)).isFalse();
        assertThat(ChannelData.isChannel(0x3fff)).isFalse();
    }

    @Test
    void attributeLengthsOfEveryValueAndTruncationsNeverThrow() {
        Indications ind = new Indications();
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            byte[] good = StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                    .xorPeerAddress(random.nextBoolean() ? new InetSocketAddress("192.0.2.1", 9)
                            : new InetSocketAddress("2001:db8::1", 9))
                    .data(new byte[random.nextInt(40)]).build();
            for (int round = 0; round < 500; round++) {
                byte[] bad = good.clone();
                // rewrite the length of the first or second attribute, and maybe the message length
                int peerLen = (good[22] & 0xFF) << 8 | (good[23] & 0xFF);
                int attr = random.nextBoolean() ? 20 : 24 + peerLen;
                if (attr + 4 <= bad.length) {
                    int len = random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(24);
                    bad[attr + 2] = (byte) (len >> 8);
                    bad[attr + 3] = (byte) len;
                }
                if (random.nextInt(3) == 0) {
                    int len = random.nextInt(bad.length) & ~3;
                    bad[2] = (byte) (len >> 8);
                    bad[3] = (byte) len;
                }
                if (random.nextInt(3) == 0) {
                    bad = Arrays.copyOf(bad, random.nextInt(bad.length + 1));
                }
                try {
                    ind.readData(ByteBuffer.wrap(bad));
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + seed + " round " + round + ": " + e, e);
                }
            }
        }
    }

    @Test
    void anEmptyXorPeerAddressAndUnknownComprehensionRequiredAttributesAreRejected() {
        Indications ind = new Indications();
        byte[] empty = {0x00, 0x17, 0x00, 0x04, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            0x00, 0x12, 0x00, 0x00};
        assertThat(ind.readData(ByteBuffer.wrap(empty))).isFalse();
        byte[] good = StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                .xorPeerAddress(new InetSocketAddress("192.0.2.1", 9)).data(new byte[] {1, 2, 3}).build();
        assertThat(ind.readData(ByteBuffer.wrap(good))).isTrue();
        byte[] unknown = Arrays.copyOf(good, good.length + 8);
        int body = good.length - 20 + 8;
        unknown[2] = (byte) (body >> 8);
        unknown[3] = (byte) body;
        unknown[good.length] = 0x7F; // type 0x7F01: comprehension-required, unknown
        unknown[good.length + 1] = 0x01;
        unknown[good.length + 3] = 4;
        assertThat(ind.readData(ByteBuffer.wrap(unknown))).isFalse();
        unknown[good.length] = (byte) 0xBF; // 0xBF01: comprehension-optional, ignored
        assertThat(ind.readData(ByteBuffer.wrap(unknown))).isTrue();
    }

    @Test
    void aSendIndicationTooBigForTheLengthFieldIsRefused() {
        ByteBuffer out = ByteBuffer.allocate(70_000);
        byte[] addr = {(byte) 192, 0, 2, 1};
        assertThatThrownBy(() -> Indications.writeSend(out, addr, 4, 9, ByteBuffer.allocate(65_520)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(out.position()).isZero();
        Indications.writeSend(out, addr, 4, 9, ByteBuffer.allocate(65_500));
        assertThat(out.position()).isEqualTo(Indications.sendIndicationLength(4, 65_500));
    }
}
