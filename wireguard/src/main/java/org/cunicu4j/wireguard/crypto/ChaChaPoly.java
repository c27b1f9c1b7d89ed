package org.cunicu4j.wireguard.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's counter nonce (4 zero bytes, then the
 * 64-bit counter little-endian), through the JDK's {@code Cipher "ChaCha20-Poly1305"} (with
 * its intrinsics). Seals and opens in place in a byte array.
 *
 * <p>Not thread-safe: one instance per thread (it holds its {@link Cipher}). The JCE
 * allocates about 2.2 KB per operation inside {@code Cipher.init}/{@code doFinal} (new
 * engine and Poly1305 state, copies of key and nonce; measured by wg-lab with JMH
 * {@code -prof gc}): this is the one allocation left on the data path. Only heap arrays are
 * passed in (direct buffers would add a temporary copy per packet).
 */
public final class ChaChaPoly {
    /** Length of the Poly1305 tag appended to every sealed message. */
    public static final int TAG_LENGTH = 16;
    /** Length of a key. */
    public static final int KEY_LENGTH = 32;

    private final Cipher cipher;
    private final byte[] nonce = new byte[12];

    public ChaChaPoly() {
        try {
            cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ChaCha20-Poly1305", e);
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
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
            if (aad != null && aad.length > 0) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
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
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            if (aad != null && aad.length > 0) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(buf, off, len, buf, off);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    /** Seals in place with an arbitrary 12-byte nonce (the RFC 8439 known-answer test). */
    int sealWithNonce(SecretKey key, byte[] nonce12, byte[] buf, int off, int len, byte[] aad) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce12));
            if (aad != null && aad.length > 0) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
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
