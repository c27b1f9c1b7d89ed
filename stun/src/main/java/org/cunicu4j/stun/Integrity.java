package org.cunicu4j.stun;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed hashes and the CRC of RFC 8489 sections 14.5, 14.6 and 14.7, computed over a
 * message prefix whose header length field is replaced by the value it must have for
 * the attribute being computed or checked. One {@link Mac} and {@link CRC32} per thread.
 */
final class Integrity {
    /** FINGERPRINT is the CRC-32 of the message XOR this value ("STUN"). */
    static final int FINGERPRINT_XOR = 0x5354554E;
    static final int SHA1_LENGTH = 20;
    static final int SHA256_LENGTH = 32;

    private static final ThreadLocal<Mac> HMAC_SHA1 = ThreadLocal.withInitial(() -> mac("HmacSHA1"));
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> mac("HmacSHA256"));
    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);
    private static final byte[] ZERO_KEY = new byte[1];

    private Integrity() {}

    private static Mac mac(String name) {
        try {
            return Mac.getInstance(name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " is missing from this JDK", e);
        }
    }

    static byte[] hmacSha1(byte[] key, ByteBuffer buf, int start, int lengthField, int end) {
        return hmac(HMAC_SHA1.get(), "HmacSHA1", key, buf, start, lengthField, end);
    }

    static byte[] hmacSha256(byte[] key, ByteBuffer buf, int start, int lengthField, int end) {
        return hmac(HMAC_SHA256.get(), "HmacSHA256", key, buf, start, lengthField, end);
    }

    /**
     * HMAC over bytes {@code [start, end)} of {@code buf} (absolute indexes, big-endian),
     * with the header's length field (bytes 2..3) taken as {@code lengthField}.
     */
    private static byte[] hmac(Mac mac, String alg, byte[] key, ByteBuffer buf, int start, int lengthField, int end) {
        // HMAC pads a key with zeros to the block size, so an empty key equals one zero byte
        // (the JDK refuses empty key specs).
        byte[] k = key.length == 0 ? ZERO_KEY : key;
        try {
            mac.init(new SecretKeySpec(k, alg));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("unusable " + alg + " key", e);
        }
        mac.update(header(buf, start, lengthField));
        mac.update(buf.duplicate().limit(end).position(start + StunMessage.HEADER_SIZE));
        return mac.doFinal();
    }

    /** CRC-32 of {@code [start, end)} with the length field replaced, XOR {@link #FINGERPRINT_XOR}. */
    static int fingerprint(ByteBuffer buf, int start, int lengthField, int end) {
        CRC32 crc = CRC.get();
        crc.reset();
        crc.update(header(buf, start, lengthField));
        crc.update(buf.duplicate().limit(end).position(start + StunMessage.HEADER_SIZE));
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    private static byte[] header(ByteBuffer buf, int start, int lengthField) {
        byte[] h = new byte[StunMessage.HEADER_SIZE];
        buf.get(start, h);
        h[2] = (byte) (lengthField >>> 8);
        h[3] = (byte) lengthField;
        return h;
    }
}
