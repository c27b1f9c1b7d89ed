package org.cunicu4j.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Tells WireGuard from STUN on a port both share, by looking at the first eight bytes and
 * the length of a datagram. Stateless, allocation-free and thread-safe; malformed input is
 * answered with {@link Kind#OTHER}, never with an exception.
 *
 * <h2>The rule</h2>
 * <ol>
 *   <li><b>WireGuard</b> when byte 0 is a message type 1..4, bytes 1..3 are zero (the
 *       type is a little-endian 32-bit word) and the length is the one that type always
 *       has: initiation (1) exactly 148 bytes, response (2) exactly 92, cookie reply (3)
 *       exactly 64, transport data (4) at least 32 (a 16-byte header plus a 16-byte
 *       Poly1305 tag; a keepalive is exactly 32). These are the checks a WireGuard
 *       receiver makes before it looks any further.</li>
 *   <li>else <b>STUN</b> when the datagram has at least the 20 bytes of a STUN header, the
 *       two most significant bits of byte 0 are zero and bytes 4..7 hold the magic cookie
 *       {@code 0x2112A442} in network byte order (RFC 8489 section 5).</li>
 *   <li>else <b>OTHER</b> (for example TURN ChannelData, whose byte 0 is 0x40..0x7F).</li>
 * </ol>
 *
 * <h2>Why the two classes cannot be confused</h2>
 * Byte by byte, for a datagram that passes the WireGuard test:
 * <ul>
 *   <li>Byte 0 is 0x01..0x04, so its top two bits are zero: the STUN test's first
 *       condition holds as well, and byte 0 alone decides nothing.</li>
 *   <li>Bytes 4..7 are a sender index (initiation, response) or a receiver index (cookie
 *       reply, transport data): 32 bits a peer picks at random, so any of them can be
 *       {@code 21 12 A4 42}. The STUN test can therefore hold for a real WireGuard
 *       message, and that is why the WireGuard test runs <em>first</em>.</li>
 *   <li>Read as a STUN header, bytes 0..1 would be the message type {@code 0x0100},
 *       {@code 0x0200}, {@code 0x0300} or {@code 0x0400}: method 0x000 (reserved),
 *       0x080 or 0x100, none of them Binding (0x001) or a TURN method (0x003..0x00A)
 *       that ICE sends. Bytes 2..3 would be the STUN message length, and they are zero:
 *       a STUN message with no attributes is exactly 20 bytes long, but the shortest
 *       WireGuard message is 32. So no well-formed STUN message (whose length field
 *       agrees with the datagram) can ever pass the WireGuard test, and putting
 *       WireGuard first costs STUN nothing.</li>
 *   <li>Conversely a datagram of the wrong length for its WireGuard type is not
 *       WireGuard: a WireGuard receiver would drop it too. It may then still be called
 *       STUN if it carries the cookie; the STUN decoder rejects it by its length field.</li>
 * </ul>
 *
 * <p>Only the bytes between a buffer's position and limit (or the given slice) are read;
 * nothing is moved or copied.
 */
public final class PacketClassifier {

    /** What a datagram looks like. */
    public enum Kind {
        /** A WireGuard message of a valid type and length. */
        WIREGUARD,
        /** A STUN message header (request, response or indication). */
        STUN,
        /** Neither; the caller decides (ChannelData, garbage, ...). */
        OTHER
    }

    /** RFC 8489 magic cookie, bytes 4..7 of every STUN message in network order. */
    public static final int STUN_MAGIC_COOKIE = 0x2112A442;
    /** Size of a STUN header; nothing shorter can be STUN. */
    public static final int STUN_HEADER_SIZE = 20;

    /** WireGuard message types (byte 0) and sizes, from the WireGuard protocol. */
    public static final int WG_INITIATION = 1;
    public static final int WG_RESPONSE = 2;
    public static final int WG_COOKIE_REPLY = 3;
    public static final int WG_TRANSPORT = 4;
    public static final int WG_INITIATION_SIZE = 148;
    public static final int WG_RESPONSE_SIZE = 92;
    public static final int WG_COOKIE_REPLY_SIZE = 64;
    /** Transport header (type, receiver index, counter) plus the Poly1305 tag. */
    public static final int WG_TRANSPORT_MIN_SIZE = 16 + 16;

    private static final ValueLayout.OfInt INT_BE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private PacketClassifier() {}

    /**
     * Classifies the bytes from {@code buf}'s position to its limit, with absolute reads:
     * the position, limit and byte order of {@code buf} are left as they were.
     */
    public static Kind classify(ByteBuffer buf) {
        int p = buf.position();
        int len = buf.limit() - p;
        if (len < STUN_HEADER_SIZE) {
            return Kind.OTHER;
        }
        int w0 = buf.getInt(p);
        int w1 = buf.getInt(p + 4);
        if (buf.order() == ByteOrder.LITTLE_ENDIAN) {
            w0 = Integer.reverseBytes(w0);
            w1 = Integer.reverseBytes(w1);
        }
        return decide(len, w0, w1);
    }

    /** Classifies {@code len} bytes of {@code seg} starting at {@code off}. */
    public static Kind classify(MemorySegment seg, long off, long len) {
        Objects.checkFromIndexSize(off, len, seg.byteSize());
        if (len < STUN_HEADER_SIZE) {
            return Kind.OTHER;
        }
        return decide(len, seg.get(INT_BE, off), seg.get(INT_BE, off + 4));
    }

    /** Classifies {@code len} bytes of {@code a} starting at {@code off}. */
    public static Kind classify(byte[] a, int off, int len) {
        Objects.checkFromIndexSize(off, len, a.length);
        if (len < STUN_HEADER_SIZE) {
            return Kind.OTHER;
        }
        return decide(len, bigEndianInt(a, off), bigEndianInt(a, off + 4));
    }

    /**
     * The rule itself, on the datagram length and its first two 32-bit words read in
     * network (big-endian) order; {@code len} is at least {@link #STUN_HEADER_SIZE}.
     */
    private static Kind decide(long len, int w0, int w1) {
        if ((w0 & 0x00FF_FFFF) == 0 && wireGuardLengthFits(w0 >>> 24, len)) {
            return Kind.WIREGUARD;
        }
        if ((w0 >>> 30) == 0 && w1 == STUN_MAGIC_COOKIE) {
            return Kind.STUN;
        }
        return Kind.OTHER;
    }

    private static boolean wireGuardLengthFits(int type, long len) {
        return switch (type) {
            case WG_INITIATION -> len == WG_INITIATION_SIZE;
            case WG_RESPONSE -> len == WG_RESPONSE_SIZE;
            case WG_COOKIE_REPLY -> len == WG_COOKIE_REPLY_SIZE;
            case WG_TRANSPORT -> len >= WG_TRANSPORT_MIN_SIZE;
            default -> false;
        };
    }

    private static int bigEndianInt(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }
}
