package org.cunicu4j.stun;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 96-bit transaction ID of a STUN message (RFC 8489 section 5): an immutable value
 * that compares by content. {@link #random()} draws it from a {@link SecureRandom}, as
 * the RFC asks ("cryptographically random"). Thread-safe.
 */
public final class TransactionId {
    /** Length in bytes. */
    public static final int LENGTH = 12;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;
    private final int hash;

    private TransactionId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** A fresh random ID. */
    public static TransactionId random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new TransactionId(b);
    }

    /** The ID with these 12 bytes (copied). */
    public static TransactionId of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a transaction ID has 12 bytes, got " + bytes.length);
        }
        return new TransactionId(bytes.clone());
    }

    /** The ID written as 24 hex digits. */
    public static TransactionId fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** Reads 12 bytes of {@code buf} at absolute index {@code offset} (position unchanged). */
    public static TransactionId read(ByteBuffer buf, int offset) {
        byte[] b = new byte[LENGTH];
        buf.get(offset, b);
        return new TransactionId(b);
    }

    /** A copy of the 12 bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Byte {@code i} (0..11). */
    public byte byteAt(int i) {
        return bytes[i];
    }

    /** Writes the 12 bytes into {@code buf} at absolute index {@code offset}. */
    public void writeTo(ByteBuffer buf, int offset) {
        buf.put(offset, bytes);
    }

    /** True when {@code buf} holds this ID at absolute index {@code offset}; allocates nothing. */
    public boolean matches(ByteBuffer buf, int offset) {
        if (offset < 0 || offset + LENGTH > buf.limit()) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            if (buf.get(offset + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransactionId t && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** 24 lower-case hex digits. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
