package org.cunicu4j.wireguard.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.engines.ChaChaEngine;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) for WireGuard's cookie replies:
 * HChaCha20 derives a subkey from the key and the first 16 bytes of the 24-byte nonce, then
 * ChaCha20-Poly1305 runs with the nonce {@code 0x00000000 || nonce[16..24)}. Stateless;
 * allocates (cookie path only).
 */
public final class XChaChaPoly {
    /** Length of the extended nonce. */
    public static final int NONCE_LENGTH = 24;

    private XChaChaPoly() {}

    /** Seals {@code plaintext} with {@code aad} into a new array (ciphertext then 16-byte tag). */
    public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] aad) {
        byte[] sub = hChaCha20(key, nonce24);
        byte[] buf = new byte[plaintext.length + ChaChaPoly.TAG_LENGTH];
        System.arraycopy(plaintext, 0, buf, 0, plaintext.length);
        new ChaChaPoly().seal(ChaChaPoly.key(sub), counterOf(nonce24), buf, 0, plaintext.length, aad);
        Arrays.fill(sub, (byte) 0);
        return buf;
    }

    /** Opens {@code sealed} into a new array, or null when it does not authenticate. */
    public static byte[] open(byte[] key, byte[] nonce24, byte[] sealed, byte[] aad) {
        byte[] sub = hChaCha20(key, nonce24);
        byte[] buf = sealed.clone();
        int n = new ChaChaPoly().open(ChaChaPoly.key(sub), counterOf(nonce24), buf, 0, buf.length, aad);
        Arrays.fill(sub, (byte) 0);
        return n < 0 ? null : Arrays.copyOf(buf, n);
    }

    /** The last 8 nonce bytes as the little-endian counter ChaChaPoly puts after 4 zero bytes. */
    private static long counterOf(byte[] nonce24) {
        if (nonce24.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("an XChaCha20 nonce is 24 bytes, got " + nonce24.length);
        }
        long c = 0;
        for (int i = 7; i >= 0; i--) {
            c = (c << 8) | (nonce24[16 + i] & 0xff);
        }
        return c;
    }

    /**
     * HChaCha20 (draft §2.2): the ChaCha20 state of constants, key and the 16-byte nonce
     * prefix, 20 rounds without the final addition; words 0..3 and 12..15 are the subkey.
     */
    public static byte[] hChaCha20(byte[] key, byte[] nonce) {
        if (key.length != 32 || nonce.length < 16) {
            throw new IllegalArgumentException("HChaCha20 takes a 32-byte key and a 16-byte nonce");
        }
        int[] x = new int[16];
        x[0] = 0x61707865;
        x[1] = 0x3320646e;
        x[2] = 0x79622d32;
        x[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            x[4 + i] = le(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = le(nonce, 4 * i);
        }
        int[] out = new int[16];
        ChaChaEngine.chachaCore(20, x, out);
        // chachaCore adds the input back: undo it to get the bare permutation
        byte[] sub = new byte[32];
        int[] words = {0, 1, 2, 3, 12, 13, 14, 15};
        for (int i = 0; i < 8; i++) {
            int w = out[words[i]] - x[words[i]];
            sub[4 * i] = (byte) w;
            sub[4 * i + 1] = (byte) (w >>> 8);
            sub[4 * i + 2] = (byte) (w >>> 16);
            sub[4 * i + 3] = (byte) (w >>> 24);
        }
        Arrays.fill(x, 0);
        Arrays.fill(out, 0);
        return sub;
    }

    private static int le(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
