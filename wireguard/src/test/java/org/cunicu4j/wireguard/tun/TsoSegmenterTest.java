package org.cunicu4j.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Segmentation of TUN super-packets, checked with a plain byte-pair checksum written here. */
class TsoSegmenterTest {

    /** RFC 1071 checksum verification: the one's complement sum over 16-bit words, byte pair by byte pair. */
    private static int onesSum(byte[] b, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** A vnet header plus an IPv4 (or IPv6) TCP packet with {@code payload} bytes and flags FIN|PSH|ACK|CWR. */
    private static ByteBuffer superPacket(boolean v4, int gsoSize, byte[] payload) {
        int ipLen = v4 ? 20 : 40;
        int tcpLen = 32; // with 12 bytes of options
        ByteBuffer b = ByteBuffer.allocateDirect(10 + ipLen + tcpLen + payload.length);
        b.put((byte) 1).put((byte) (v4 ? 1 : 4));
        b.put((byte) (ipLen + tcpLen)).put((byte) 0);
        b.put((byte) gsoSize).put((byte) (gsoSize >> 8));
        b.put((byte) ipLen).put((byte) 0).put((byte) 16).put((byte) 0);
        if (v4) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (ipLen + tcpLen + payload.length)).putShort((short) 0x1234)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                    .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        } else {
            b.putInt(0x60000000).putShort((short) (tcpLen + payload.length)).put((byte) 6).put((byte) 64);
            byte[] a = new byte[16];
            a[0] = (byte) 0xfd;
            a[15] = 1;
            b.put(a);
            a[15] = 2;
            b.put(a);
        }
        b.putShort((short) 40000).putShort((short) 5201).putInt(0xfffff000).putInt(77)
                .put((byte) (8 << 4)).put((byte) (0x80 | 0x10 | 0x08 | 0x01)).putShort((short) 1000).putShort((short) 0x5555)
                .putShort((short) 0);
        b.put(new byte[12]);
        b.put(payload);
        return b.flip();
    }

    private static void checkSegments(boolean v4) {
        checkSegments(v4, 5000);
    }

    private static void checkSegments(boolean v4, int payloadLength) {
        Random rnd = new Random(v4 ? 4 : 6);
        byte[] payload = new byte[payloadLength];
        rnd.nextBytes(payload);
        int gso = 1000 + (v4 ? 0 : 200);
        ByteBuffer sp = superPacket(v4, gso, payload);
        TsoSegmenter seg = new TsoSegmenter();
        seg.start(sp, sp.limit());
        ByteBuffer[] out = new ByteBuffer[3];
        for (int i = 0; i < out.length; i++) {
            out[i] = ByteBuffer.allocateDirect(2000);
        }
        int total = 0;
        int index = 0;
        int segments = (payload.length + gso - 1) / gso;
        int ipLen = v4 ? 20 : 40;
        while (seg.pending()) {
            int n = seg.drain(out, out.length);
            assertThat(n).isPositive();
            for (int k = 0; k < n; k++, index++) {
                byte[] p = bytes(out[k]);
                int segLen = Math.min(gso, payload.length - index * gso);
                assertThat(p).hasSize(ipLen + 32 + segLen);
                ByteBuffer v = ByteBuffer.wrap(p);
                int tcp = ipLen;
                if (v4) {
                    assertThat(v.getShort(2) & 0xffff).isEqualTo(p.length);
                    assertThat(v.getShort(4) & 0xffff).isEqualTo(0x1234 + index);
                    assertThat(onesSum(p, 0, 20, 0)).as("IPv4 header checksum").isEqualTo(0xffff);
                } else {
                    assertThat(v.getShort(4) & 0xffff).isEqualTo(32 + segLen);
                }
                assertThat(v.getInt(tcp + 4)).isEqualTo(0xfffff000 + index * gso); // wraps past 2^32
                int flags = p[tcp + 13] & 0xff;
                boolean last = index == segments - 1;
                assertThat((flags & 0x09) != 0).as("FIN/PSH on the last segment only").isEqualTo(last);
                assertThat((flags & 0x80) != 0).as("CWR on the first only").isEqualTo(index == 0);
                int tcpLength = p.length - ipLen;
                int pseudo = onesSum(p, v4 ? 12 : 8, v4 ? 8 : 32, tcpLength + 6);
                assertThat(onesSum(p, tcp, tcpLength, pseudo)).as("TCP checksum of segment %d", index).isEqualTo(0xffff);
                byte[] chunk = java.util.Arrays.copyOfRange(p, tcp + 32, p.length);
                assertThat(chunk).isEqualTo(java.util.Arrays.copyOfRange(payload, index * gso, index * gso + segLen));
                total += segLen;
            }
        }
        assertThat(index).isEqualTo(segments);
        assertThat(total).isEqualTo(payload.length);
        assertThat(seg.malformed()).isZero();
    }

    @Test
    void ipv4SuperPacketIntoSegments() {
        checkSegments(true);
    }

    @Test
    void ipv6SuperPacketIntoSegments() {
        checkSegments(false);
    }

    /** Last segments of every length modulo 4 (the tail words of the checksum), v4 and v6. */
    @Test
    void lastSegmentOfAnyLengthHasARightChecksum() {
        for (int len = 4990; len < 5010; len++) {
            checkSegments(true, len);
            checkSegments(false, len);
        }
    }

    /** {@link TsoSegmenter#sum} folded against the byte-pair reference, lengths 0..2000, offsets 0..7, bytes of all values. */
    @Test
    void sumMatchesReferenceForEveryLengthAndAlignment() {
        long seed = 1071;
        Random rnd = new Random(seed);
        byte[] data = new byte[2100];
        ByteBuffer b = ByteBuffer.allocateDirect(data.length);
        for (int len = 0; len <= 2000; len++) {
            rnd.nextBytes(data);
            if (len % 3 == 0) {
                java.util.Arrays.fill(data, (byte) 0xff);
            }
            b.clear().put(data).clear();
            for (int at = 0; at < 8; at++) {
                int expected = onesSum(data, at, len, 0);
                int got = TsoSegmenter.fold(TsoSegmenter.sum(b, at, len));
                // 0 and 0xffff are the same one's complement value; the reference folds a non-zero sum to 0xffff
                assertThat(got == 0 && expected == 0xffff ? 0xffff : got)
                        .as("seed %d length %d offset %d", seed, len, at).isEqualTo(expected);
            }
        }
    }

    /** No GSO, "needs checksum", payloads of 0..64 bytes with high bytes: the checksum verifies. */
    @Test
    void needsChecksumOfAnyLength() {
        Random rnd = new Random(8439);
        for (int n = 0; n <= 64; n++) {
            byte[] payload = new byte[n];
            rnd.nextBytes(payload);
            for (int i = 0; i < n; i += 2) {
                payload[i] |= (byte) 0x80;
            }
            for (boolean v4 : new boolean[] {true, false}) {
                ByteBuffer sp = superPacket(v4, 0, payload);
                sp.put(0, (byte) 1).put(1, (byte) 0);
                int ipLen = v4 ? 20 : 40;
                byte[] p = bytes(sp.duplicate().position(10));
                int tcpLength = p.length - ipLen;
                int pseudo = onesSum(p, v4 ? 12 : 8, v4 ? 8 : 32, tcpLength + 6);
                sp.putShort(10 + ipLen + 16, (short) pseudo);
                TsoSegmenter seg = new TsoSegmenter();
                seg.start(sp, sp.limit());
                ByteBuffer[] out = {ByteBuffer.allocateDirect(2000)};
                assertThat(seg.drain(out, 1)).isEqualTo(1);
                byte[] q = bytes(out[0]);
                assertThat(onesSum(q, ipLen, tcpLength, onesSum(q, v4 ? 12 : 8, v4 ? 8 : 32, tcpLength + 6)))
                        .as("seed 8439 payload %d v4 %s", n, v4).isEqualTo(0xffff);
            }
        }
    }

    /** No GSO but "needs checksum": the field holds the pseudo-header sum; the packet leaves with a full checksum. */
    @Test
    void checksumCompletedWithoutSegmentation() {
        byte[] payload = "hello, offload".getBytes();
        ByteBuffer sp = superPacket(true, 0, payload);
        sp.put(1, (byte) 0); // GSO none
        // the kernel's partial checksum: the pseudo-header sum, not complemented
        byte[] p = bytes(sp.duplicate().position(10));
        int tcpLength = p.length - 20;
        int pseudo = onesSum(p, 12, 8, tcpLength + 6);
        sp.putShort(10 + 20 + 16, (short) pseudo);
        TsoSegmenter seg = new TsoSegmenter();
        seg.start(sp, sp.limit());
        ByteBuffer[] out = {ByteBuffer.allocateDirect(2000)};
        assertThat(seg.drain(out, 1)).isEqualTo(1);
        byte[] q = bytes(out[0]);
        assertThat(q).hasSize(p.length);
        assertThat(onesSum(q, 20, tcpLength, onesSum(q, 12, 8, tcpLength + 6))).isEqualTo(0xffff);
        assertThat(seg.pending()).isFalse();
    }

    @Test
    void malformedIsCountedNotThrown() {
        Random rnd = new Random(99);
        TsoSegmenter seg = new TsoSegmenter();
        ByteBuffer[] out = {ByteBuffer.allocateDirect(2000), ByteBuffer.allocateDirect(2000)};
        int bad = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[rnd.nextInt(120)];
            rnd.nextBytes(junk);
            if (junk.length > 1) {
                junk[1] = (byte) (rnd.nextBoolean() ? 1 : 4);
            }
            ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, junk.length)).put(junk).flip();
            seg.start(b, junk.length);
            int guard = 0;
            while (seg.pending() && guard++ < 200) {
                if (seg.drain(out, out.length) == 0) {
                    bad++;
                }
            }
            assertThat(seg.pending()).as("seed 99 step %d", i).isFalse();
        }
        assertThat(seg.malformed()).isEqualTo(bad);
    }

    /** An IPv4 super-packet with IHL below 5 or a total length that is not its own is counted as malformed, nothing comes out. */
    @Test
    void ipv4HeaderLengthAndTotalLengthAreChecked() {
        byte[] payload = new byte[3000];
        new Random(7).nextBytes(payload);
        ByteBuffer[] out = {ByteBuffer.allocateDirect(2000), ByteBuffer.allocateDirect(2000), ByteBuffer.allocateDirect(2000)};
        TsoSegmenter seg = new TsoSegmenter();
        int[][] cases = {{0x40, 0}, {0x44, 0}, {0x41, 0}, {0x45, 1}, {0x45, -1}, {0x45, -3000}};
        for (int[] c : cases) {
            ByteBuffer sp = superPacket(true, 1000, payload);
            sp.put(10, (byte) c[0]);
            sp.putShort(12, (short) (sp.getShort(12) + c[1]));
            seg.start(sp, sp.limit());
            assertThat(seg.drain(out, out.length)).as("version/IHL %x, total length off by %d", c[0], c[1]).isZero();
            assertThat(seg.pending()).isFalse();
        }
        assertThat(seg.malformed()).isEqualTo(cases.length);
        ByteBuffer good = superPacket(true, 1000, payload);
        seg.start(good, good.limit());
        assertThat(seg.drain(out, out.length)).isEqualTo(3);
    }
}
