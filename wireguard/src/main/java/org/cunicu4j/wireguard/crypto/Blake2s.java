package org.cunicu4j.wireguard.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * BLAKE2s as WireGuard uses it (RFC 7693, BouncyCastle's digest): {@link #hash} (32 bytes),
 * {@link #hmac} (HMAC over BLAKE2s, block 64 bytes) and {@link #mac} (keyed BLAKE2s with a
 * 16-byte output). Stateless; allocates (handshake path only).
 */
public final class Blake2s {
    /** Output length of {@link #hash} and {@link #hmac}. */
    public static final int HASH_LENGTH = 32;
    /** Output length of {@link #mac}. */
    public static final int MAC_LENGTH = 16;
    private static final int BLOCK = 64;

    private Blake2s() {}

    /** BLAKE2s-256 of the concatenation of {@code parts}. */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with a 16-byte output over {@code data[off..off+len)}: WireGuard's MAC. */
    public static byte[] mac(byte[] key, byte[] data, int off, int len) {
        Blake2sDigest d = new Blake2sDigest(key, MAC_LENGTH, null, null);
        d.update(data, off, len);
        byte[] out = new byte[MAC_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with a 16-byte output over all of {@code data}. */
    public static byte[] mac(byte[] key, byte[] data) {
        return mac(key, data, 0, data.length);
    }

    /** HMAC (RFC 2104) with BLAKE2s-256 over the concatenation of {@code parts}. */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        byte[] k = key.length > BLOCK ? hash(key) : key;
        byte[] ipad = new byte[BLOCK];
        byte[] opad = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            byte kb = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (kb ^ 0x36);
            opad[i] = (byte) (kb ^ 0x5c);
        }
        Blake2sDigest inner = new Blake2sDigest(256);
        inner.update(ipad, 0, BLOCK);
        for (byte[] p : parts) {
            inner.update(p, 0, p.length);
        }
        byte[] ih = new byte[HASH_LENGTH];
        inner.doFinal(ih, 0);
        Blake2sDigest outer = new Blake2sDigest(256);
        outer.update(opad, 0, BLOCK);
        outer.update(ih, 0, HASH_LENGTH);
        byte[] out = new byte[HASH_LENGTH];
        outer.doFinal(out, 0);
        Arrays.fill(ipad, (byte) 0);
        Arrays.fill(opad, (byte) 0);
        return out;
    }

    /**
     * The Noise KDF with {@code n} outputs (1..3): T0 = HMAC(key, input), T1 = HMAC(T0, 0x1),
     * Ti = HMAC(T0, T(i-1) || i).
     */
    public static byte[][] kdf(int n, byte[] key, byte[] input) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("the KDF gives 1..3 outputs, asked for " + n);
        }
        byte[] t0 = hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] prev = new byte[0];
        for (int i = 0; i < n; i++) {
            prev = hmac(t0, prev, new byte[] {(byte) (i + 1)});
            out[i] = prev;
        }
        Arrays.fill(t0, (byte) 0);
        return out;
    }
}
