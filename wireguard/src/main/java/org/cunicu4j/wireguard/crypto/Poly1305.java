package org.cunicu4j.wireguard.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5) for the AEAD construction, where every input is a whole number
 * of 16-byte blocks once zero-padded: r in two 64-bit limbs, h in two 64-bit limbs and a
 * small third, products by {@link Math#unsignedMultiplyHigh} (an intrinsic), four 128-bit
 * products per block, no allocation. The JDK's own Poly1305 has no intrinsic on CPUs
 * without AVX-512 and allocates per message.
 *
 * <p>Not thread-safe: one instance per thread, reused for every message.
 */
final class Poly1305 {
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long r0, r1, s0, s1;
    private long h0, h1, h2;
    private final byte[] block = new byte[16];

    private static long le64(byte[] b, int off) {
        return (long) LE_LONG.get(b, off);
    }

    /** 1 when {@code a < b} unsigned, else 0. */
    private static long carry(long sum, long operand) {
        return Long.compareUnsigned(sum, operand) < 0 ? 1 : 0;
    }

    /** Starts a message with the 32-byte one-time key at {@code key[off..off+32)}. */
    void init(byte[] key, int off) {
        r0 = le64(key, off) & 0x0FFFFFFC0FFFFFFFL;
        r1 = le64(key, off + 8) & 0x0FFFFFFC0FFFFFFCL;
        s0 = le64(key, off + 16);
        s1 = le64(key, off + 24);
        h0 = h1 = h2 = 0;
    }

    /** Absorbs {@code m[off..off+len)} followed by zeros up to a multiple of 16 bytes. */
    void updatePadded(byte[] m, int off, int len) {
        int full = len & ~15;
        for (int i = 0; i < full; i += 16) {
            block(le64(m, off + i), le64(m, off + i + 8));
        }
        int rest = len - full;
        if (rest > 0) {
            System.arraycopy(m, off + full, block, 0, rest);
            java.util.Arrays.fill(block, rest, 16, (byte) 0);
            block(le64(block, 0), le64(block, 8));
        }
    }

    /** Absorbs the AEAD's final block: the two lengths as 64-bit little-endian numbers. */
    void updateLengths(long aadLength, long ciphertextLength) {
        block(aadLength, ciphertextLength);
    }

    /** h = (h + m + 2^128) * r, partially reduced mod 2^130 - 5. */
    private void block(long m0, long m1) {
        long a0 = h0 + m0;
        long c = carry(a0, m0);
        long a1 = h1 + m1;
        long c1 = carry(a1, m1);
        long b1 = a1 + c;
        c1 += carry(b1, a1);
        long a2 = h2 + c1 + 1;

        long h0r0lo = a0 * r0;
        long h0r0hi = Math.unsignedMultiplyHigh(a0, r0);
        long h1r0lo = b1 * r0;
        long h1r0hi = Math.unsignedMultiplyHigh(b1, r0);
        long h0r1lo = a0 * r1;
        long h0r1hi = Math.unsignedMultiplyHigh(a0, r1);
        long h1r1lo = b1 * r1;
        long h1r1hi = Math.unsignedMultiplyHigh(b1, r1);
        long h2r0 = a2 * r0; // a2 is at most 7 and r < 2^60: no overflow
        long h2r1 = a2 * r1;

        long m1lo = h1r0lo + h0r1lo;
        long m1hi = h1r0hi + h0r1hi + carry(m1lo, h0r1lo);
        long m2lo = h2r0 + h1r1lo;
        long m2hi = h1r1hi + carry(m2lo, h1r1lo);

        long t0 = h0r0lo;
        long t1 = m1lo + h0r0hi;
        c = carry(t1, h0r0hi);
        long u = m2lo + m1hi;
        c1 = carry(u, m1hi);
        long t2 = u + c;
        c1 += carry(t2, u);
        long t3 = h2r1 + m2hi + c1;

        // reduce: h = t mod 2^130, plus 5 * (t >> 130) as (t & ~3 above 2^128) + (t >> 130)
        long n0 = t0;
        long n1 = t1;
        long n2 = t2 & 3;
        long cclo = t2 & ~3L;
        long cchi = t3;
        long x = n0 + cclo;
        c = carry(x, cclo);
        long y = n1 + cchi;
        c1 = carry(y, cchi);
        long z = y + c;
        c1 += carry(z, y);
        n0 = x;
        n1 = z;
        n2 += c1;
        cclo = (cclo >>> 2) | (cchi << 62);
        cchi >>>= 2;
        x = n0 + cclo;
        c = carry(x, cclo);
        y = n1 + cchi;
        c1 = carry(y, cchi);
        z = y + c;
        c1 += carry(z, y);
        h0 = x;
        h1 = z;
        h2 = n2 + c1;
    }

    /** Writes the 16-byte tag to {@code out[off..off+16)}. */
    void finish(byte[] out, int off) {
        // h - p = h + 5 - 2^130: keep it when h >= p
        long g0 = h0 + 5;
        long c = carry(g0, 5);
        long g1 = h1 + c;
        c = carry(g1, c);
        long g2 = h2 + c;
        long useG = -(g2 >>> 2);
        long f0 = (h0 & ~useG) | (g0 & useG);
        long f1 = (h1 & ~useG) | (g1 & useG);
        long t0 = f0 + s0;
        c = carry(t0, s0);
        long t1 = f1 + s1 + c;
        LE_LONG.set(out, off, t0);
        LE_LONG.set(out, off + 8, t1);
        h0 = h1 = h2 = 0;
        r0 = r1 = s0 = s1 = 0;
    }
}
