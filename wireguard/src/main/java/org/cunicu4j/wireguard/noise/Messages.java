package org.cunicu4j.wireguard.noise;

/**
 * WireGuard's message formats: types, sizes and field offsets (whitepaper §5.4), and the
 * little-endian integer helpers to read and write them. All integers on the wire are
 * little-endian.
 */
public final class Messages {
    private Messages() {}

    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE_REPLY = 3;
    public static final int TYPE_TRANSPORT = 4;

    public static final int INITIATION_SIZE = 148;
    public static final int RESPONSE_SIZE = 92;
    public static final int COOKIE_REPLY_SIZE = 64;
    public static final int TRANSPORT_HEADER_SIZE = 16;
    /** The smallest transport message: a header and the tag of an empty (keepalive) payload. */
    public static final int TRANSPORT_MIN_SIZE = TRANSPORT_HEADER_SIZE + 16;
    /** Transport payloads are padded to a multiple of this. */
    public static final int PADDING_MULTIPLE = 16;

    // initiation
    public static final int INIT_SENDER = 4;
    public static final int INIT_EPHEMERAL = 8;
    public static final int INIT_STATIC = 40;
    public static final int INIT_TIMESTAMP = 88;
    public static final int INIT_MAC1 = 116;
    public static final int INIT_MAC2 = 132;
    // response
    public static final int RESP_SENDER = 4;
    public static final int RESP_RECEIVER = 8;
    public static final int RESP_EPHEMERAL = 12;
    public static final int RESP_EMPTY = 44;
    public static final int RESP_MAC1 = 60;
    public static final int RESP_MAC2 = 76;
    // cookie reply
    public static final int COOKIE_RECEIVER = 4;
    public static final int COOKIE_NONCE = 8;
    public static final int COOKIE_ENCRYPTED = 32;
    // transport
    public static final int TRANSPORT_RECEIVER = 4;
    public static final int TRANSPORT_COUNTER = 8;

    /** Noise construction name. */
    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    /** WireGuard's protocol identifier mixed into the initial hash. */
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public static final String LABEL_MAC1 = "mac1----";
    public static final String LABEL_COOKIE = "cookie--";

    public static int getIntLE(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    public static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static long getLongLE(byte[] b, int off) {
        return (getIntLE(b, off) & 0xffffffffL) | ((long) getIntLE(b, off + 4) << 32);
    }

    public static void putLongLE(byte[] b, int off, long v) {
        putIntLE(b, off, (int) v);
        putIntLE(b, off + 4, (int) (v >>> 32));
    }
}
