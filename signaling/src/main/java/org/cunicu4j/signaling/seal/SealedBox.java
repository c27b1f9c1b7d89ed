package org.cunicu4j.signaling.seal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl {@code crypto_box}: X25519 key agreement, HSalsa20 to derive the box key, and
 * XSalsa20-Poly1305 ({@code crypto_secretbox}). The output layout is that of Go's
 * {@code nacl/box.Seal}: the 16-byte Poly1305 tag, then the ciphertext (NaCl's C API
 * additionally pads with 16 leading zero bytes, which are not sent).
 *
 * <p>X25519 comes from the JDK, XSalsa20 and Poly1305 from BouncyCastle, HSalsa20 is here.
 * Stateless and thread-safe; every call allocates its outputs (signaling rates, not a
 * packet path).
 */
public final class SealedBox {

    /** Length of a nonce. */
    public static final int NONCE_LENGTH = 24;
    /** Length of the Poly1305 tag that precedes the ciphertext. */
    public static final int TAG_LENGTH = 16;
    /** Length of keys: X25519 keys and the derived box key. */
    public static final int KEY_LENGTH = 32;

    private static final byte[] ZERO_16 = new byte[16];
    private static final byte[] SIGMA = "expand 32-byte k".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private SealedBox() {
    }

    /**
     * {@code crypto_box_beforenm}: HSalsa20(X25519(ourPrivate, theirPublic), 0).
     *
     * @throws IllegalArgumentException when a key is not 32 bytes or the agreement fails
     *     (a small-order public key gives an all-zero secret, which the JDK refuses)
     */
    public static byte[] sharedKey(byte[] theirPublic, byte[] ourPrivate) {
        checkLength("public key", theirPublic, KEY_LENGTH);
        checkLength("private key", ourPrivate, KEY_LENGTH);
        byte[] shared = x25519(ourPrivate, theirPublic);
        byte[] key = new byte[KEY_LENGTH];
        hsalsa20(key, ZERO_16, shared);
        Arrays.fill(shared, (byte) 0);
        return key;
    }

    /** {@code crypto_box}: tag || ciphertext of {@code message}. */
    public static byte[] seal(byte[] message, byte[] nonce, byte[] theirPublic, byte[] ourPrivate) {
        byte[] key = sharedKey(theirPublic, ourPrivate);
        try {
            return sealWithKey(message, nonce, key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * {@code crypto_box_open}: the message, or {@code null} when the tag does not verify.
     *
     * @throws IllegalArgumentException on bad lengths or a failed key agreement
     */
    public static byte[] open(byte[] box, byte[] nonce, byte[] theirPublic, byte[] ourPrivate) {
        byte[] key = sharedKey(theirPublic, ourPrivate);
        try {
            return openWithKey(box, nonce, key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** {@code crypto_secretbox} with a box key from {@link #sharedKey}: tag || ciphertext. */
    public static byte[] sealWithKey(byte[] message, byte[] nonce, byte[] key) {
        checkLength("nonce", nonce, NONCE_LENGTH);
        checkLength("key", key, KEY_LENGTH);
        XSalsa20Engine stream = stream(key, nonce);
        byte[] polyKey = new byte[32];
        stream.processBytes(new byte[32], 0, 32, polyKey, 0);
        byte[] out = new byte[TAG_LENGTH + message.length];
        stream.processBytes(message, 0, message.length, out, TAG_LENGTH);
        mac(polyKey, out, TAG_LENGTH, message.length, out, 0);
        Arrays.fill(polyKey, (byte) 0);
        return out;
    }

    /** {@code crypto_secretbox_open}: the message, or {@code null} when the tag does not verify. */
    public static byte[] openWithKey(byte[] box, byte[] nonce, byte[] key) {
        checkLength("nonce", nonce, NONCE_LENGTH);
        checkLength("key", key, KEY_LENGTH);
        if (box.length < TAG_LENGTH) {
            throw new IllegalArgumentException("box must be at least " + TAG_LENGTH + " bytes, got " + box.length);
        }
        XSalsa20Engine stream = stream(key, nonce);
        byte[] polyKey = new byte[32];
        stream.processBytes(new byte[32], 0, 32, polyKey, 0);
        byte[] tag = new byte[TAG_LENGTH];
        int length = box.length - TAG_LENGTH;
        mac(polyKey, box, TAG_LENGTH, length, tag, 0);
        Arrays.fill(polyKey, (byte) 0);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, TAG_LENGTH))) {
            return null;
        }
        byte[] message = new byte[length];
        stream.processBytes(box, TAG_LENGTH, length, message, 0);
        return message;
    }

    private static XSalsa20Engine stream(byte[] key, byte[] nonce) {
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        return engine;
    }

    private static void mac(byte[] polyKey, byte[] in, int offset, int length, byte[] out, int outOffset) {
        Poly1305 poly = new Poly1305();
        poly.init(new KeyParameter(polyKey));
        poly.update(in, offset, length);
        poly.doFinal(out, outOffset);
    }

    /** X25519(scalar, u) by the JDK; both little-endian, 32 bytes. */
    static byte[] x25519(byte[] scalar, byte[] u) {
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            PrivateKey privateKey = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
            byte[] be = new byte[KEY_LENGTH];
            for (int i = 0; i < KEY_LENGTH; i++) {
                be[i] = u[KEY_LENGTH - 1 - i];
            }
            be[0] &= 0x7f; // RFC 7748: ignore the top bit of the u-coordinate
            PublicKey publicKey = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                    new BigInteger(1, be)));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            agreement.doPhase(publicKey, true);
            return agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 key agreement failed: " + e.getMessage(), e);
        }
    }

    /**
     * HSalsa20 (from the XSalsa20 paper): the Salsa20 core with key {@code key} and input
     * {@code in}, 20 rounds, without the final addition, output words 0, 5, 10, 15, 6, 7, 8, 9.
     */
    static void hsalsa20(byte[] out, byte[] in, byte[] key) {
        int x0 = le(SIGMA, 0);
        int x1 = le(key, 0);
        int x2 = le(key, 4);
        int x3 = le(key, 8);
        int x4 = le(key, 12);
        int x5 = le(SIGMA, 4);
        int x6 = le(in, 0);
        int x7 = le(in, 4);
        int x8 = le(in, 8);
        int x9 = le(in, 12);
        int x10 = le(SIGMA, 8);
        int x11 = le(key, 16);
        int x12 = le(key, 20);
        int x13 = le(key, 24);
        int x14 = le(key, 28);
        int x15 = le(SIGMA, 12);
        for (int round = 0; round < 20; round += 2) {
            // column round
            x4 ^= Integer.rotateLeft(x0 + x12, 7);
            x8 ^= Integer.rotateLeft(x4 + x0, 9);
            x12 ^= Integer.rotateLeft(x8 + x4, 13);
            x0 ^= Integer.rotateLeft(x12 + x8, 18);
            x9 ^= Integer.rotateLeft(x5 + x1, 7);
            x13 ^= Integer.rotateLeft(x9 + x5, 9);
            x1 ^= Integer.rotateLeft(x13 + x9, 13);
            x5 ^= Integer.rotateLeft(x1 + x13, 18);
            x14 ^= Integer.rotateLeft(x10 + x6, 7);
            x2 ^= Integer.rotateLeft(x14 + x10, 9);
            x6 ^= Integer.rotateLeft(x2 + x14, 13);
            x10 ^= Integer.rotateLeft(x6 + x2, 18);
            x3 ^= Integer.rotateLeft(x15 + x11, 7);
            x7 ^= Integer.rotateLeft(x3 + x15, 9);
            x11 ^= Integer.rotateLeft(x7 + x3, 13);
            x15 ^= Integer.rotateLeft(x11 + x7, 18);
            // row round
            x1 ^= Integer.rotateLeft(x0 + x3, 7);
            x2 ^= Integer.rotateLeft(x1 + x0, 9);
            x3 ^= Integer.rotateLeft(x2 + x1, 13);
            x0 ^= Integer.rotateLeft(x3 + x2, 18);
            x6 ^= Integer.rotateLeft(x5 + x4, 7);
            x7 ^= Integer.rotateLeft(x6 + x5, 9);
            x4 ^= Integer.rotateLeft(x7 + x6, 13);
            x5 ^= Integer.rotateLeft(x4 + x7, 18);
            x11 ^= Integer.rotateLeft(x10 + x9, 7);
            x8 ^= Integer.rotateLeft(x11 + x10, 9);
            x9 ^= Integer.rotateLeft(x8 + x11, 13);
            x10 ^= Integer.rotateLeft(x9 + x8, 18);
            x12 ^= Integer.rotateLeft(x15 + x14, 7);
            x13 ^= Integer.rotateLeft(x12 + x15, 9);
            x14 ^= Integer.rotateLeft(x13 + x12, 13);
            x15 ^= Integer.rotateLeft(x14 + x13, 18);
        }
        putLe(out, 0, x0);
        putLe(out, 4, x5);
        putLe(out, 8, x10);
        putLe(out, 12, x15);
        putLe(out, 16, x6);
        putLe(out, 20, x7);
        putLe(out, 24, x8);
        putLe(out, 28, x9);
    }

    private static int le(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    private static void putLe(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    private static void checkLength(String what, byte[] b, int length) {
        if (b.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + b.length);
        }
    }
}
