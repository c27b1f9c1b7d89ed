package org.cunicu4j.proxy.raw;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link UdpHeaders} against a reference Internet checksum written here independently (on
 * byte arrays, pseudo-header materialised): seeded property loops for what is built and
 * parsed back, an IPv4 header with options, and a fuzz loop of mutated and random input
 * (the buffer limited to what was "read", so an over-read throws) that must never throw nor
 * point outside what was read.
 */
class UdpHeadersTest {
    private static final int ROUNDS = 3000;

    @Test
    void builtIpv4PacketsCarryCorrectChecksumsAndParseBack() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        ByteBuffer out = ByteBuffer.allocateDirect(65535);
        UdpHeaders.Parsed parsed = new UdpHeaders.Parsed();
        for (int round = 0; round < ROUNDS; round++) {
            String at = "seed " + seed + " round " + round;
            byte[] src = bytes(r, 4);
            byte[] dst = bytes(r, 4);
            int sport = 1 + r.nextInt(65535);
            int dport = 1 + r.nextInt(65535);
            byte[] payload = bytes(r, payloadLength(r));
            ByteBuffer p = payloadBuffer(r, payload);
            int len = UdpHeaders.writeIpv4(out, src, dst, sport, dport, p, p.position(), payload.length);
            byte[] pkt = new byte[len];
            out.get(0, pkt);

            assertThat(len).as(at).isEqualTo(28 + payload.length).isEqualTo(out.limit());
            assertThat(pkt[0]).as(at).isEqualTo((byte) 0x45);
            assertThat(u16(pkt, 2)).as(at + ": total length").isEqualTo(len);
            assertThat(pkt[9]).as(at).isEqualTo((byte) 17);
            assertThat(referenceSum(pkt, 0, 20, new byte[0])).as(at + ": IPv4 header checksum").isEqualTo(0xffff);
            assertThat(u16(pkt, 20)).as(at).isEqualTo(sport);
            assertThat(u16(pkt, 22)).as(at).isEqualTo(dport);
            assertThat(u16(pkt, 24)).as(at + ": UDP length").isEqualTo(8 + payload.length);
            assertThat(u16(pkt, 26)).as(at + ": UDP checksum").isEqualTo(referenceUdpChecksum(src, dst, pkt, 20, len - 20));

            assertThat(UdpHeaders.parseIpv4(out, 0, len, dport, parsed)).as(at).isNull();
            assertThat(parsed.sourceLength).as(at).isEqualTo(4);
            assertThat(java.util.Arrays.copyOf(parsed.source, 4)).as(at).isEqualTo(src);
            assertThat(parsed.sourcePort).as(at).isEqualTo(sport);
            assertThat(parsed.payloadOffset).as(at).isEqualTo(28);
            assertThat(parsed.payloadLength).as(at).isEqualTo(payload.length);
            byte[] back = new byte[payload.length];
            out.get(28, back);
            assertThat(back).as(at).isEqualTo(payload);
            assertThat(UdpHeaders.parseIpv4(out, 0, len, dport == 1 ? 2 : dport - 1, parsed)).as(at)
                    .isEqualTo(RawDrop.WRONG_PORT);
        }
    }

    @Test
    void builtIpv6DatagramsCarryTheMandatoryChecksumAndParseBack() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        ByteBuffer out = ByteBuffer.allocateDirect(65535);
        UdpHeaders.Parsed parsed = new UdpHeaders.Parsed();
        for (int round = 0; round < ROUNDS; round++) {
            String at = "seed " + seed + " round " + round;
            byte[] src = bytes(r, 16);
            byte[] dst = bytes(r, 16);
            int sport = 1 + r.nextInt(65535);
            int dport = 1 + r.nextInt(65535);
            byte[] payload = bytes(r, payloadLength(r));
            ByteBuffer p = payloadBuffer(r, payload);
            int len = UdpHeaders.writeUdp6(out, src, dst, sport, dport, p, p.position(), payload.length);
            byte[] dgram = new byte[len];
            out.get(0, dgram);
            assertThat(len).as(at).isEqualTo(8 + payload.length);
            assertThat(u16(dgram, 4)).as(at).isEqualTo(len);
            int checksum = u16(dgram, 6);
            assertThat(checksum).as(at + ": never 0 in IPv6").isNotZero()
                    .isEqualTo(referenceUdpChecksum(src, dst, dgram, 0, len));

            assertThat(UdpHeaders.parseUdp6(out, 0, len, src, dport, parsed)).as(at).isNull();
            assertThat(parsed.sourceLength).as(at).isEqualTo(16);
            assertThat(parsed.source).as(at).isEqualTo(src);
            assertThat(parsed.sourcePort).as(at).isEqualTo(sport);
            assertThat(parsed.payloadOffset).as(at).isEqualTo(8);
            assertThat(parsed.payloadLength).as(at).isEqualTo(payload.length);

            // the kernel's variant: checksum left 0 for IPV6_CHECKSUM
            UdpHeaders.writeUdp6(out, null, null, sport, dport, p, p.position(), payload.length);
            assertThat(out.getShort(6)).as(at).isZero();
            assertThat(out.limit()).as(at).isEqualTo(len);
        }
    }

    @Test
    void aChecksumOfZeroIsSentAsAllOnes() {
        byte[] src = {10, 0, 0, 1};
        byte[] dst = {10, 0, 0, 2};
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        ByteBuffer payload = ByteBuffer.allocateDirect(2);
        UdpHeaders.writeIpv4(out, src, dst, 1000, 2000, payload, 0, 2); // payload word 0
        byte[] pkt = new byte[30];
        out.get(0, pkt);
        pkt[26] = 0;
        pkt[27] = 0;
        int s = referenceSum(pseudo(src, dst, 10), 0, 12, java.util.Arrays.copyOfRange(pkt, 20, 30));
        int w = ~s & 0xffff; // this payload word makes the one's-complement sum 0xffff: checksum 0
        payload.putShort(0, (short) w);
        UdpHeaders.writeIpv4(out, src, dst, 1000, 2000, payload, 0, 2);
        assertThat(out.getShort(26) & 0xffff).isEqualTo(0xffff);
        assertThat(UdpHeaders.parseIpv4(out, 0, 30, 2000, new UdpHeaders.Parsed())).isNull();
    }

    @Test
    void malformedAndRandomInputNeverThrowsNorPointsOutside() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        ByteBuffer p = ByteBuffer.allocateDirect(2048);
        UdpHeaders.Parsed parsed = new UdpHeaders.Parsed();
        byte[] src16 = bytes(r, 16);
        int accepted = 0;
        for (int round = 0; round < 20 * ROUNDS; round++) {
            String at = "seed " + seed + " round " + round;
            int dport = 1 + r.nextInt(4);
            int len;
            boolean v6 = r.nextBoolean();
            buf.clear();
            if (r.nextInt(4) == 0) { // pure noise
                len = r.nextInt(80);
                for (int i = 0; i < len; i++) {
                    buf.put(i, (byte) r.nextInt(256));
                }
            } else { // a valid packet, then mutated
                int plen = r.nextInt(200);
                p.clear();
                len = v6 ? UdpHeaders.writeUdp6(buf, bytes(r, 16), bytes(r, 16), 1 + r.nextInt(3), dport, p, 0, plen)
                        : UdpHeaders.writeIpv4(buf, bytes(r, 4), bytes(r, 4), 1 + r.nextInt(3), dport, p, 0, plen);
                int mutations = r.nextInt(4);
                for (int m = 0; m < mutations; m++) {
                    switch (r.nextInt(3)) {
                        case 0 -> len = r.nextInt(len + 1); // truncated
                        case 1 -> buf.put(r.nextInt(Math.max(1, len)), (byte) r.nextInt(256));
                        default -> { // a length field set at random
                            int field = v6 ? 4 : (r.nextBoolean() ? 2 : 24);
                            buf.putShort(field, (short) r.nextInt(65536));
                        }
                    }
                }
            }
            buf.limit(len); // a read beyond what was received throws instead of seeing stale bytes
            RawDrop why;
            try {
                why = v6 ? UdpHeaders.parseUdp6(buf, 0, len, src16, dport, parsed)
                        : UdpHeaders.parseIpv4(buf, 0, len, dport, parsed);
            } catch (RuntimeException e) {
                throw new AssertionError(at + ": parsing threw (read beyond the " + len + " bytes?)", e);
            }
            if (why == null) {
                accepted++;
                assertThat(parsed.payloadOffset).as(at).isGreaterThanOrEqualTo(8);
                assertThat(parsed.payloadLength).as(at).isGreaterThanOrEqualTo(0);
                assertThat(parsed.payloadOffset + parsed.payloadLength).as(at + ": payload within what was read")
                        .isLessThanOrEqualTo(len);
                assertThat(parsed.destinationPort).as(at).isEqualTo(dport);
                assertThat(parsed.sourcePort).as(at).isNotZero();
            }
        }
        assertThat(accepted).as("seed " + seed + ": some mutations leave a valid datagram").isPositive();
    }

    @Test
    void anIpv4HeaderWithOptionsIsSkippedByItsLength() {
        byte[] src = {10, 0, 0, 1};
        byte[] dst = {10, 0, 0, 2};
        byte[] payload = {1, 2, 3, 4, 5, 6, 7};
        ByteBuffer pkt = ByteBuffer.allocateDirect(64);
        int len = UdpHeaders.writeIpv4(pkt, src, dst, 1000, 2000, ByteBuffer.allocateDirect(7).put(payload).flip(), 0, 7);
        len = withNopOptions(pkt, len, 4);
        assertThat(pkt.get(0)).as("IHL 6").isEqualTo((byte) 0x46);
        pkt.limit(len);
        UdpHeaders.Parsed parsed = new UdpHeaders.Parsed();
        assertThat(UdpHeaders.parseIpv4(pkt, 0, len, 2000, parsed)).isNull();
        assertThat(parsed.payloadOffset).isEqualTo(24 + 8);
        assertThat(parsed.payloadLength).isEqualTo(7);
        assertThat(parsed.sourcePort).isEqualTo(1000);
        assertThat(java.util.Arrays.copyOf(parsed.source, 4)).isEqualTo(src);
        byte[] back = new byte[7];
        pkt.get(parsed.payloadOffset, back);
        assertThat(back).isEqualTo(payload);
        assertThat(UdpHeaders.parseIpv4(pkt, 0, len - 1, 2000, parsed)).as("total length beyond what was read")
                .isEqualTo(RawDrop.BAD_IP_TOTAL_LENGTH);
    }

    /**
     * Inserts {@code n} (a multiple of 4) NOP option bytes after the 20-byte IPv4 header of the
     * {@code len}-byte packet at index 0 of {@code pkt}, fixing IHL, total length and the header
     * checksum; sets the limit to the new length.
     *
     * @return the new length
     */
    static int withNopOptions(ByteBuffer pkt, int len, int n) {
        byte[] rest = new byte[len - 20];
        pkt.get(20, rest);
        pkt.clear();
        for (int i = 0; i < n; i++) {
            pkt.put(20 + i, (byte) 1); // NOP
        }
        pkt.put(20 + n, rest);
        pkt.put(0, (byte) (0x40 | (20 + n) / 4));
        pkt.putShort(2, (short) (len + n));
        pkt.putShort(10, (short) 0);
        byte[] header = new byte[20 + n];
        pkt.get(0, header);
        pkt.putShort(10, (short) ~referenceSum(header, 0, header.length, new byte[0]));
        pkt.limit(len + n);
        return len + n;
    }

    // ---- reference implementation ----

    /** RFC 768/8200 checksum as sent: pseudo-header + segment with the checksum field zeroed; 0 becomes 0xffff. */
    private static int referenceUdpChecksum(byte[] src, byte[] dst, byte[] pkt, int udpAt, int udpLen) {
        byte[] segment = java.util.Arrays.copyOfRange(pkt, udpAt, udpAt + udpLen);
        segment[6] = 0;
        segment[7] = 0;
        byte[] ph = pseudo(src, dst, udpLen);
        int c = ~referenceSum(ph, 0, ph.length, segment) & 0xffff;
        return c == 0 ? 0xffff : c;
    }

    /** IPv4: src, dst, 0, 17, length (12 bytes); IPv6: src, dst, 32-bit length, 3 zeros, 17 (40 bytes). */
    private static byte[] pseudo(byte[] src, byte[] dst, int udpLen) {
        if (src.length == 4) {
            byte[] ph = new byte[12];
            System.arraycopy(src, 0, ph, 0, 4);
            System.arraycopy(dst, 0, ph, 4, 4);
            ph[9] = 17;
            ph[10] = (byte) (udpLen >> 8);
            ph[11] = (byte) udpLen;
            return ph;
        }
        byte[] ph = new byte[40];
        System.arraycopy(src, 0, ph, 0, 16);
        System.arraycopy(dst, 0, ph, 16, 16);
        ph[32] = (byte) (udpLen >>> 24);
        ph[33] = (byte) (udpLen >>> 16);
        ph[34] = (byte) (udpLen >>> 8);
        ph[35] = (byte) udpLen;
        ph[39] = 17;
        return ph;
    }

    /** One's-complement sum of {@code a[from..from+len)} followed by {@code tail}, as one byte string. */
    private static int referenceSum(byte[] a, int from, int len, byte[] tail) {
        byte[] all = new byte[len + tail.length + 1];
        System.arraycopy(a, from, all, 0, len);
        System.arraycopy(tail, 0, all, len, tail.length);
        int n = len + tail.length;
        long s = 0;
        for (int i = 0; i < n; i += 2) {
            s += ((all[i] & 0xff) << 8) | (all[i + 1] & 0xff); // the extra zero byte pads an odd length
        }
        while (s > 0xffff) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) s;
    }

    private static int payloadLength(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> 1 + r.nextInt(3);
            case 2 -> 9000 + r.nextInt(3000);
            default -> r.nextInt(1500);
        };
    }

    /** The payload in a direct buffer at a random offset (as a batch slot may have a position). */
    private static ByteBuffer payloadBuffer(Random r, byte[] payload) {
        int offset = r.nextInt(16);
        ByteBuffer b = ByteBuffer.allocateDirect(offset + payload.length + 1);
        b.put(offset, payload).position(offset).limit(offset + payload.length);
        return b;
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
