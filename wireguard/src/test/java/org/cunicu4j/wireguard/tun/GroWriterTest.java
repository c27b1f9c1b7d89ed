package org.cunicu4j.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Joining TCP segments into GSO super-packets, checked by cutting them up again with {@link TsoSegmenter}. */
class GroWriterTest {
    private final List<byte[]> plain = new ArrayList<>();
    private final List<byte[]> raw = new ArrayList<>();
    private final GroWriter writer = new GroWriter(new GroWriter.Sink() {
        @Override
        public boolean write(ByteBuffer packet) {
            plain.add(bytes(packet));
            return true;
        }

        @Override
        public boolean writeRaw(ByteBuffer headerAndPacket) {
            raw.add(bytes(headerAndPacket));
            return true;
        }
    });

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** A valid IPv4 TCP segment (checksums right) in a direct buffer with 10 bytes of headroom. */
    private static ByteBuffer segment(int id, int seq, int flags, byte[] payload, int srcPort) {
        ByteBuffer b = ByteBuffer.allocateDirect(10 + 40 + payload.length);
        b.position(10);
        int start = 10;
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) id)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 2}).put(new byte[] {10, 0, 0, 1});
        b.putShort((short) srcPort).putShort((short) 40000).putInt(seq).putInt(99)
                .put((byte) (5 << 4)).put((byte) flags).putShort((short) 500).putShort((short) 0).putShort((short) 0);
        b.put(payload);
        b.putShort(start + 10, (short) ~TsoSegmenter.fold(TsoSegmenter.sum(b, start, 20)));
        int tcpLen = 20 + payload.length;
        long s = TsoSegmenter.sum(b, start + 20, tcpLen) + TsoSegmenter.sum(b, start + 12, 8) + tcpLen + 6;
        b.putShort(start + 36, (short) ~TsoSegmenter.fold(s));
        return b.limit(10 + 40 + payload.length).position(10);
    }

    @Test
    void segmentsOfOneFlowBecomeOneSuperPacketThatCutsBackIntoThem() throws Exception {
        Random rnd = new Random(1071);
        List<byte[]> originals = new ArrayList<>();
        int seq = 1000;
        for (int i = 0; i < 10; i++) {
            byte[] payload = new byte[i == 9 ? 300 : 1380];
            rnd.nextBytes(payload);
            ByteBuffer s = segment(7 + i, seq, i == 9 ? 0x18 : 0x10, payload, 5201);
            originals.add(bytes(s));
            writer.write(s);
            seq += payload.length;
        }
        assertThat(writer.pendingSegments()).isEqualTo(10);
        writer.flush();
        assertThat(plain).isEmpty();
        assertThat(raw).hasSize(1);
        byte[] sp = raw.getFirst();
        assertThat(sp[0]).isEqualTo((byte) TsoSegmenter.F_NEEDS_CSUM);
        assertThat(sp[1]).isEqualTo((byte) TsoSegmenter.GSO_TCPV4);
        assertThat((sp[4] & 0xff) | (sp[5] & 0xff) << 8).isEqualTo(1380);
        assertThat(sp.length).isEqualTo(10 + 40 + 9 * 1380 + 300);

        TsoSegmenter seg = new TsoSegmenter();
        ByteBuffer in = ByteBuffer.allocateDirect(sp.length).put(sp).flip();
        seg.start(in, sp.length);
        ByteBuffer[] out = new ByteBuffer[16];
        for (int i = 0; i < out.length; i++) {
            out[i] = ByteBuffer.allocateDirect(2000);
        }
        int n = seg.drain(out, out.length);
        assertThat(n).isEqualTo(10);
        for (int i = 0; i < n; i++) {
            assertThat(bytes(out[i])).as("segment %d", i).isEqualTo(originals.get(i));
        }
    }

    @Test
    void otherFlowsGapsAndFlagsBreakTheRun() throws Exception {
        byte[] p = new byte[1000];
        writer.write(segment(1, 0, 0x10, p, 5201));
        writer.write(segment(2, 1000, 0x10, p, 5201));
        writer.write(segment(3, 2000, 0x10, p, 5999));      // another flow: flushes the first two
        writer.write(segment(4, 5000, 0x10, p, 5999));      // a gap in sequence: flushes one
        writer.write(segment(5, 6000, 0x11, p, 5999));      // FIN: never joined, written as is
        writer.write(segment(6, 7000, 0x10, new byte[0], 5999)); // a bare ACK: written as is
        writer.flush();
        assertThat(raw).hasSize(1);                          // the first two joined
        assertThat(plain).hasSize(4);                        // singles: 3, 4 (flushed alone), 5, 6
        // after flushes, a longer run than before still fits (the buffer is reset)
        for (int i = 0; i < 40; i++) {
            writer.write(segment(10 + i, 100_000 + i * 1000, 0x10, p, 6000));
        }
        writer.flush();
        assertThat(raw).hasSize(2);
        assertThat(raw.get(1)).hasSize(10 + 40 + 40 * 1000);
    }

    /** A segment whose TCP checksum is wrong is never joined (the kernel would not check it again): written as it is. */
    @Test
    void segmentWithBadChecksumIsWrittenUnjoined() throws Exception {
        byte[] p = new byte[1000];
        new Random(5).nextBytes(p);
        writer.write(segment(1, 0, 0x10, p, 5201));
        writer.write(segment(2, 1000, 0x10, p, 5201));
        ByteBuffer bad = segment(3, 2000, 0x10, p, 5201);
        bad.put(bad.position() + 40 + 7, (byte) (bad.get(bad.position() + 40 + 7) ^ 1)); // a flipped payload bit
        byte[] badBytes = bytes(bad);
        writer.write(bad);                                   // not appended: flushes the first two
        writer.write(segment(4, 3000, 0x10, p, 5201));
        ByteBuffer badStart = segment(5, 4000, 0x10, p, 5201);
        badStart.put(badStart.position() + 36, (byte) (badStart.get(badStart.position() + 36) ^ 0x40)); // the checksum itself
        writer.write(badStart);                              // cannot start a run either
        writer.write(segment(6, 5000, 0x10, p, 5201));
        writer.flush();
        assertThat(raw).hasSize(1);                          // 1+2
        assertThat(plain).hasSize(4);                        // 3 (bad), 4 (alone), 5 (bad), 6
        assertThat(plain.getFirst()).isEqualTo(badBytes);
    }
}
