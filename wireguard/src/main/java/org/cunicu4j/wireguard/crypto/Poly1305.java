package org.cunicu4j.wireguard.crypto;

/**
 * Poly1305 (RFC 8439 §2.5) for the AEAD construction, where every input is a whole number
 * of 16-byte blocks once zero-padded: 26-bit limbs in {@code long}s (the "donna-32"
 * arrangement), no allocation. The JDK's own Poly1305 has no intrinsic on CPUs without
 * AVX-512 and allocates per message; this one is several times faster there.
 *
 * <p>Not thread-safe: one instance per thread, reused for every message.
 */
final class Poly1305 {
    private static final long M26 = 0x3ffffff;

    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private long pad0, pad1, pad2, pad3;
    private final byte[] block = new byte[16];

    private static final java.lang.invoke.VarHandle LE_INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static long le32(byte[] b, int off) {
        return (int) LE_INT.get(b, off) & 0xffffffffL;
    }

    /** Starts a message with the 32-byte one-time key at {@code key[off..off+32)}. */
    void init(byte[] key, int off) {
        r0 = le32(key, off) & 0x3ffffff;
        r1 = (le32(key, off + 3) >>> 2) & 0x3ffff03;
        r2 = (le32(key, off + 6) >>> 4) & 0x3ffc0ff;
        r3 = (le32(key, off + 9) >>> 6) & 0x3f03fff;
        r4 = (le32(key, off + 12) >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        pad0 = le32(key, off + 16);
        pad1 = le32(key, off + 20);
        pad2 = le32(key, off + 24);
        pad3 = le32(key, off + 28);
    }

    /** Absorbs {@code m[off..off+len)} followed by zeros up to a multiple of 16 bytes. */
    void updatePadded(byte[] m, int off, int len) {
        int full = len & ~15;
        for (int i = 0; i < full; i += 16) {
            block(m, off + i);
        }
        int rest = len - full;
        if (rest > 0) {
            System.arraycopy(m, off + full, block, 0, rest);
            java.util.Arrays.fill(block, rest, 16, (byte) 0);
            block(block, 0);
        }
    }

    /** Absorbs the AEAD's final block: the two lengths as 64-bit little-endian numbers. */
    void updateLengths(long aadLength, long ciphertextLength) {
        for (int i = 0; i < 8; i++) {
            block[i] = (byte) (aadLength >>> (8 * i));
            block[8 + i] = (byte) (ciphertextLength >>> (8 * i));
        }
        block(block, 0);
    }

    private void block(byte[] m, int off) {
        long t0 = h0 + (le32(m, off) & M26);
        long t1 = h1 + ((le32(m, off + 3) >>> 2) & M26);
        long t2 = h2 + ((le32(m, off + 6) >>> 4) & M26);
        long t3 = h3 + ((le32(m, off + 9) >>> 6) & M26);
        long t4 = h4 + ((le32(m, off + 12) >>> 8) | (1L << 24));

        long d0 = t0 * r0 + t1 * s4 + t2 * s3 + t3 * s2 + t4 * s1;
        long d1 = t0 * r1 + t1 * r0 + t2 * s4 + t3 * s3 + t4 * s2;
        long d2 = t0 * r2 + t1 * r1 + t2 * r0 + t3 * s4 + t4 * s3;
        long d3 = t0 * r3 + t1 * r2 + t2 * r1 + t3 * r0 + t4 * s4;
        long d4 = t0 * r4 + t1 * r3 + t2 * r2 + t3 * r1 + t4 * r0;

        long c = d0 >>> 26;
        h0 = d0 & M26;
        d1 += c;
        c = d1 >>> 26;
        h1 = d1 & M26;
        d2 += c;
        c = d2 >>> 26;
        h2 = d2 & M26;
        d3 += c;
        c = d3 >>> 26;
        h3 = d3 & M26;
        d4 += c;
        c = d4 >>> 26;
        h4 = d4 & M26;
        h0 += c * 5;
        c = h0 >>> 26;
        h0 &= M26;
        h1 += c;
    }

    /** Writes the 16-byte tag to {@code out[off..off+16)}. */
    void finish(byte[] out, int off) {
        long c = h1 >>> 26;
        h1 &= M26;
        h2 += c;
        c = h2 >>> 26;
        h2 &= M26;
        h3 += c;
        c = h3 >>> 26;
        h3 &= M26;
        h4 += c;
        c = h4 >>> 26;
        h4 &= M26;
        h0 += c * 5;
        c = h0 >>> 26;
        h0 &= M26;
        h1 += c;

        long g0 = h0 + 5;
        c = g0 >>> 26;
        g0 &= M26;
        long g1 = h1 + c;
        c = g1 >>> 26;
        g1 &= M26;
        long g2 = h2 + c;
        c = g2 >>> 26;
        g2 &= M26;
        long g3 = h3 + c;
        c = g3 >>> 26;
        g3 &= M26;
        long g4 = h4 + c - (1L << 26);

        long useG = (g4 >>> 63) - 1; // all ones when h >= p (g4 did not go negative)
        long useH = ~useG;
        h0 = (h0 & useH) | (g0 & useG);
        h1 = (h1 & useH) | (g1 & useG);
        h2 = (h2 & useH) | (g2 & useG);
        h3 = (h3 & useH) | (g3 & useG);
        h4 = (h4 & useH) | (g4 & useG);

        long w0 = (h0 | (h1 << 26)) & 0xffffffffL;
        long w1 = ((h1 >>> 6) | (h2 << 20)) & 0xffffffffL;
        long w2 = ((h2 >>> 12) | (h3 << 14)) & 0xffffffffL;
        long w3 = ((h3 >>> 18) | (h4 << 8)) & 0xffffffffL;

        long f = w0 + pad0;
        put32(out, off, f);
        f = w1 + pad1 + (f >>> 32);
        put32(out, off + 4, f);
        f = w2 + pad2 + (f >>> 32);
        put32(out, off + 8, f);
        f = w3 + pad3 + (f >>> 32);
        put32(out, off + 12, f);
        h0 = h1 = h2 = h3 = h4 = 0;
        r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
        pad0 = pad1 = pad2 = pad3 = 0;
    }

    private static void put32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
