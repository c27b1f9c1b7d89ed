package org.cunicu4j.wireguard.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with WireGuard's counter nonce (4 zero bytes, then the
 * 64-bit counter little-endian): the JDK's {@code Cipher "ChaCha20"} (intrinsic on AVX2)
 * for the keystream and our {@link Poly1305} for the tag, because the JDK's Poly1305 is
 * intrinsic only with AVX-512 and allocates about 2 KB per message. Seals and opens in
 * place in a byte array; a forged message is refused before anything is decrypted.
 *
 * <p>Not thread-safe: one instance per thread (it holds its {@link Cipher}). What is left
 * of allocation per message is inside the JCE's {@code Cipher.init} (a parameter spec, a
 * copy of key and nonce, a small engine object). Only heap arrays are passed in (direct
 * buffers would add a temporary copy per packet).
 */
public final class ChaChaPoly {
    /** Length of the Poly1305 tag appended to every sealed message. */
    public static final int TAG_LENGTH = 16;
    /** Length of a key. */
    public static final int KEY_LENGTH = 32;
    private static final byte[] ZEROS = new byte[64];

    private final Cipher cipher;
    private final Poly1305 poly = new Poly1305();
    private final byte[] nonce = new byte[12];
    private final byte[] block0 = new byte[64];
    private final byte[] tag = new byte[TAG_LENGTH];

    public ChaChaPoly() {
        try {
            cipher = Cipher.getInstance("ChaCha20");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ChaCha20", e);
        }
    }

    /** A key object for {@link #seal}/{@link #open} (make once per keypair, not per packet). */
    public static SecretKey key(byte[] key32) {
        if (key32.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes, got " + key32.length);
        }
        return new SecretKeySpec(key32, "ChaCha20");
    }

    /** Sets the nonce bytes for {@code counter}: 4 zero bytes then the counter little-endian. */
    static void counterNonce(byte[] nonce, int off, long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[off + i] = (byte) (counter >>> (8 * i));
        }
    }

    /**
     * Encrypts {@code buf[off..off+len)} in place and appends the tag.
     *
     * @param aad additional data, or null
     * @return {@code len + 16}, the length of the sealed message at {@code off}
     */
    public int seal(SecretKey key, long counter, byte[] buf, int off, int len, byte[] aad) {
        counterNonce(nonce, 4, counter);
        return sealWithNonce(key, nonce, buf, off, len, aad);
    }

    /** Seals in place with an arbitrary 12-byte nonce (RFC 8439 §2.8). */
    int sealWithNonce(SecretKey key, byte[] nonce12, byte[] buf, int off, int len, byte[] aad) {
        try {
            startKeystream(Cipher.ENCRYPT_MODE, key, nonce12);
            cipher.doFinal(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 failed", e);
        }
        authenticate(aad, buf, off, len, buf, off + len);
        return len + TAG_LENGTH;
    }

    /**
     * Authenticates and decrypts {@code buf[off..off+len)} (ciphertext and tag) in place.
     *
     * @return the plaintext length ({@code len - 16}), or -1 when it does not authenticate
     */
    public int open(SecretKey key, long counter, byte[] buf, int off, int len, byte[] aad) {
        if (len < TAG_LENGTH) {
            return -1;
        }
        counterNonce(nonce, 4, counter);
        int ctLen = len - TAG_LENGTH;
        try {
            startKeystream(Cipher.DECRYPT_MODE, key, nonce);
            authenticate(aad, buf, off, ctLen, tag, 0);
            int diff = 0;
            for (int i = 0; i < TAG_LENGTH; i++) {
                diff |= tag[i] ^ buf[off + ctLen + i];
            }
            if (diff != 0) {
                cipher.doFinal(ZEROS, 0, 0, block0, 0); // leave the cipher reset
                return -1;
            }
            cipher.doFinal(buf, off, ctLen, buf, off);
            return ctLen;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 failed", e);
        }
    }

    /** Inits the stream at block 0 and takes its first 32 bytes as the Poly1305 key; the data then starts at block 1. */
    private void startKeystream(int mode, SecretKey key, byte[] nonce12) throws GeneralSecurityException {
        cipher.init(mode, key, new ChaCha20ParameterSpec(nonce12, 0));
        cipher.update(ZEROS, 0, 64, block0, 0);
        poly.init(block0, 0);
    }

    /** Poly1305 over aad, pad, ciphertext, pad, lengths (RFC 8439 §2.8), the tag to {@code out[outOff..]}. */
    private void authenticate(byte[] aad, byte[] ct, int off, int len, byte[] out, int outOff) {
        int aadLen = aad == null ? 0 : aad.length;
        if (aadLen > 0) {
            poly.updatePadded(aad, 0, aadLen);
        }
        poly.updatePadded(ct, off, len);
        poly.updateLengths(aadLen, len);
        poly.finish(out, outOff);
        java.util.Arrays.fill(block0, (byte) 0);
    }

    /** Seals {@code plaintext} into a new array (handshake use). */
    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] aad) {
        byte[] buf = new byte[plaintext.length + TAG_LENGTH];
        System.arraycopy(plaintext, 0, buf, 0, plaintext.length);
        new ChaChaPoly().seal(key(key), counter, buf, 0, plaintext.length, aad);
        return buf;
    }

    /** Opens {@code sealed} into a new array, or null when it does not authenticate (handshake use). */
    public static byte[] open(byte[] key, long counter, byte[] sealed, byte[] aad) {
        byte[] buf = sealed.clone();
        int n = new ChaChaPoly().open(key(key), counter, buf, 0, buf.length, aad);
        return n < 0 ? null : java.util.Arrays.copyOf(buf, n);
    }
}
