package org.cunicu4j.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.KeyAgreement;

/**
 * A 32-byte WireGuard key: a Curve25519 private or public key, or a preshared key, in the
 * base64 form of {@code wg genkey}, {@code wg pubkey} and {@code wg genpsk}.
 *
 * <p>Immutable and thread-safe. The {@link Type} is part of the value: a private and a
 * public key with the same bytes are not equal. Secret keys (private, preshared) never
 * show their bytes in {@link #toString()} and are compared in constant time; public keys
 * print a short prefix, the form logs use to name a peer.
 */
public final class Key {

    /** What the 32 bytes are. */
    public enum Type {
        /** A Curve25519 scalar; WireGuard clamps it before use. */
        PRIVATE,
        /** A Curve25519 u-coordinate, little-endian. */
        PUBLIC,
        /** A symmetric preshared key mixed into the handshake. */
        PRESHARED;

        boolean isSecret() {
            return this != PUBLIC;
        }
    }

    /** Length of a key in bytes. */
    public static final int LENGTH = 32;
    /** Length of a key in base64: 43 characters and one '='. */
    public static final int BASE64_LENGTH = 44;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BigInteger BASE_POINT_U = BigInteger.valueOf(9);

    private final byte[] bytes;
    private final Type type;

    private Key(byte[] bytes, Type type) {
        this.bytes = bytes;
        this.type = type;
    }

    /** A key of {@code type} holding a copy of {@code bytes}, which must be 32 long. */
    public static Key of(byte[] bytes, Type type) {
        Objects.requireNonNull(type, "type");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("key must be 32 bytes, got " + bytes.length);
        }
        return new Key(bytes.clone(), type);
    }

    /**
     * Parses the base64 form exactly as {@code wg} accepts it: 44 characters of standard
     * base64 ending in '=', encoding 32 bytes, canonical (the unused low bits are zero).
     * No whitespace is tolerated; strip the input first if it comes from a file or stdin.
     *
     * @throws IllegalArgumentException saying what is wrong, without echoing the key
     */
    public static Key parse(String base64, Type type) {
        Objects.requireNonNull(base64, "base64");
        Objects.requireNonNull(type, "type");
        if (base64.length() != BASE64_LENGTH) {
            throw invalid(base64.length() + " characters");
        }
        for (int i = 0; i < BASE64_LENGTH - 1; i++) {
            char c = base64.charAt(i);
            if (!isBase64Char(c)) {
                throw invalid(describe(c) + " at index " + i + ", which is not a base64 character");
            }
        }
        if (base64.charAt(BASE64_LENGTH - 1) != '=') {
            throw invalid("no '=' padding at the end");
        }
        byte[] decoded = Base64.getDecoder().decode(base64);
        if (!Base64.getEncoder().encodeToString(decoded).equals(base64)) {
            throw invalid("a non-canonical last character (its low bits must be zero)");
        }
        return new Key(decoded, type);
    }

    /** {@link #parse(String, Type)} for a private key. */
    public static Key parsePrivate(String base64) {
        return parse(base64, Type.PRIVATE);
    }

    /** {@link #parse(String, Type)} for a public key. */
    public static Key parsePublic(String base64) {
        return parse(base64, Type.PUBLIC);
    }

    /** {@link #parse(String, Type)} for a preshared key. */
    public static Key parsePreshared(String base64) {
        return parse(base64, Type.PRESHARED);
    }

    private static IllegalArgumentException invalid(String got) {
        return new IllegalArgumentException("key must be 44 base64 characters encoding 32 bytes, got " + got);
    }

    private static boolean isBase64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    }

    /** A character that is not part of any key, so naming it leaks nothing. */
    private static String describe(char c) {
        return c >= 0x21 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** A new private key from {@link SecureRandom}, clamped as {@code wg genkey} does. */
    public static Key generatePrivate() {
        byte[] k = new byte[LENGTH];
        RANDOM.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] = (byte) ((k[31] & 127) | 64);
        return new Key(k, Type.PRIVATE);
    }

    /** 32 random bytes from {@link SecureRandom}, as {@code wg genpsk} does. */
    public static Key generatePreshared() {
        byte[] k = new byte[LENGTH];
        RANDOM.nextBytes(k);
        return new Key(k, Type.PRESHARED);
    }

    /**
     * The public key of this private key: X25519(k, 9) computed by the JDK's X25519
     * (which clamps the scalar, as WireGuard does, so unclamped keys give the same result
     * as {@code wg pubkey}).
     *
     * @throws IllegalStateException when this is not a private key
     */
    public Key publicKey() {
        if (type != Type.PRIVATE) {
            throw new IllegalStateException("only a private key has a public key, this is a " + type + " key");
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            var privateKey = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, bytes));
            PublicKey basePoint = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BASE_POINT_U));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            agreement.doPhase(basePoint, true);
            return new Key(agreement.generateSecret(), Type.PUBLIC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's X25519 failed on a 32-byte scalar", e);
        }
    }

    public Type type() {
        return type;
    }

    /** A copy of the 32 bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code dst} at {@code offset}, without allocating. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    /** The base64 form {@code wg} reads and writes (44 characters). */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Secret keys in constant time; the type must match too. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Key other && type == other.type && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return type.isSecret() ? type.hashCode() : 31 * type.hashCode() + Arrays.hashCode(bytes);
    }

    /** {@code Key[public AbCdEfGh…]} for public keys, {@code Key[redacted]} for secret ones. */
    @Override
    public String toString() {
        return type.isSecret() ? "Key[redacted]" : "Key[public " + toBase64().substring(0, 8) + "…]";
    }
}
