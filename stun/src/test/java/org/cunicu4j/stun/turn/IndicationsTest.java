package org.cunicu4j.stun.turn;

import static org.assertj.core.api.Assertions.assertThat;

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
}
