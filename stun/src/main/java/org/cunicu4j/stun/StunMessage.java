package org.cunicu4j.stun;

import static org.cunicu4j.stun.AttributeType.*;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A parsed STUN message (RFC 8489): a view over the bytes of the caller's buffer. Parsing
 * checks the header and the framing of every attribute, and the format of the value of
 * every attribute this codec knows, so the typed getters below never fail; values are
 * read from the buffer when asked for (nothing is copied at parse time).
 *
 * <p><b>Ownership:</b> the message borrows the buffer given to {@link #parse}; it stays
 * valid only while those bytes are unchanged. Call {@link #copy()} to keep a message
 * after handing the buffer back (for example to a receive batch).
 *
 * <p><b>Ignored attributes:</b> per RFC 8489 section 14.5, attributes after
 * MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, attributes after
 * MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, and anything after FINGERPRINT are
 * framed-checked but otherwise ignored: no getter sees them. When an attribute occurs
 * more than once, getters return the first occurrence (lists return all).
 *
 * <p><b>Unknown attributes:</b> {@link #unknownComprehensionRequired()} lists the types in
 * 0x0000..0x7FFF this codec does not understand. A server answers such a request with a
 * 420 error carrying UNKNOWN-ATTRIBUTES; a client treats such a response as a failed
 * transaction (RFC 8489 sections 6.3.1 and 6.3.3). Unknown comprehension-optional types
 * are ignored.
 *
 * <p>Immutable once parsed (as long as the buffer is); safe to read from several threads.
 */
public final class StunMessage {
    /** Size of the STUN header. */
    public static final int HEADER_SIZE = 20;
    /** The magic cookie, bytes 4..7 of every RFC 5389/8489 message. */
    public static final int MAGIC_COOKIE = 0x2112A442;
    /**
     * Largest value length of USERNAME accepted and written: RFC 5389's limit (RFC 8489
     * section 14.3 asks senders for fewer than 509 bytes; being lenient costs nothing).
     */
    public static final int MAX_USERNAME_BYTES = 513;
    /** Largest value length of REALM, NONCE, SOFTWARE and the ERROR-CODE reason (sections 14.8-14.10, 14.14). */
    public static final int MAX_TEXT_BYTES = 763;

    private static final int[] NONE = new int[0];

    private final ByteBuffer buf;
    private final int start;
    private final int length;
    private final int rawType;
    private final int[] offsets;
    private final int count;
    private final int integrityOffset;
    private final int integritySha256Offset;
    private final int fingerprintOffset;
    private final int[] unknownRequired;

    private StunMessage(ByteBuffer buf, int start, int length, int[] offsets, int count,
            int integrityOffset, int integritySha256Offset, int fingerprintOffset, int[] unknownRequired) {
        this.buf = buf;
        this.start = start;
        this.length = length;
        this.rawType = buf.getShort(start) & 0xFFFF;
        this.offsets = offsets;
        this.count = count;
        this.integrityOffset = integrityOffset;
        this.integritySha256Offset = integritySha256Offset;
        this.fingerprintOffset = fingerprintOffset;
        this.unknownRequired = unknownRequired;
    }

    /** A builder for a message of {@code type} with {@code tid}, writing into a buffer of its own. */
    public static StunMessageBuilder builder(MessageType type, TransactionId tid) {
        return new StunMessageBuilder(type, tid, null);
    }

    /**
     * A builder writing the message into {@code dst} from its position on (borrowed until
     * {@link StunMessageBuilder#finish()}); a {@link java.nio.BufferOverflowException} is thrown
     * by the attribute that does not fit.
     */
    public static StunMessageBuilder builder(MessageType type, TransactionId tid, ByteBuffer dst) {
        return new StunMessageBuilder(type, tid, dst);
    }

    /** Parses {@code bytes} (which must hold exactly one message); the array is borrowed. */
    public static StunMessage parse(byte[] bytes) throws StunParseException {
        return parse(ByteBuffer.wrap(bytes));
    }

    /**
     * Parses the bytes from {@code src}'s position to its limit, which must hold exactly
     * one message (as a UDP datagram or a stream frame does). Reads are absolute: the
     * position, limit and byte order of {@code src} are left as they were.
     *
     * @throws StunParseException with the reason, for anything that is not a well-formed message
     */
    public static StunMessage parse(ByteBuffer src) throws StunParseException {
        int start = src.position();
        int available = src.remaining();
        if (available < HEADER_SIZE) {
            throw new StunParseException("too short for a STUN header: " + available + " bytes, need 20");
        }
        ByteBuffer b = src.duplicate().order(ByteOrder.BIG_ENDIAN);
        int type = b.getShort(start) & 0xFFFF;
        if ((type & 0xC000) != 0) {
            throw new StunParseException(String.format("first two bits must be 0, message type is 0x%04x", type));
        }
        int bodyLength = b.getShort(start + 2) & 0xFFFF;
        if ((bodyLength & 3) != 0) {
            throw new StunParseException("message length " + bodyLength + " is not a multiple of 4");
        }
        int cookie = b.getInt(start + 4);
        if (cookie != MAGIC_COOKIE) {
            throw new StunParseException(String.format("magic cookie is 0x%08x, expected 0x2112a442", cookie));
        }
        if (HEADER_SIZE + bodyLength != available) {
            throw new StunParseException("message length " + bodyLength + " disagrees with the "
                    + (available - HEADER_SIZE) + " bytes after the header");
        }
        int end = start + available;
        int[] offsets = new int[8];
        int count = 0;
        int mi = -1;
        int mi256 = -1;
        int fp = -1;
        int[] unknown = NONE;
        int off = start + HEADER_SIZE;
        while (off < end) {
            if (end - off < 4) {
                throw new StunParseException("attribute header cut short at offset " + (off - start));
            }
            int at = b.getShort(off) & 0xFFFF;
            int len = b.getShort(off + 2) & 0xFFFF;
            if (off + 4 + len > end) {
                throw new StunParseException("attribute " + describe(at) + " at offset " + (off - start)
                        + " has length " + len + ", past the end of the message");
            }
            boolean ignored = fp >= 0
                    || (mi256 >= 0 && at != FINGERPRINT)
                    || (mi >= 0 && at != MESSAGE_INTEGRITY_SHA256 && at != FINGERPRINT);
            if (!ignored) {
                String problem = check(b, at, off + 4, len);
                if (problem != null) {
                    throw new StunParseException("attribute " + describe(at) + " at offset " + (off - start)
                            + " " + problem);
                }
                if (count == offsets.length) {
                    offsets = Arrays.copyOf(offsets, count * 2);
                }
                offsets[count++] = off;
                switch (at) {
                    case MESSAGE_INTEGRITY -> mi = off;
                    case MESSAGE_INTEGRITY_SHA256 -> mi256 = off;
                    case FINGERPRINT -> fp = off;
                    default -> {
                        if (isComprehensionRequired(at) && !isKnown(at)) {
                            unknown = Arrays.copyOf(unknown, unknown.length + 1);
                            unknown[unknown.length - 1] = at;
                        }
                    }
                }
            }
            off += 4 + ((len + 3) & ~3);
        }
        return new StunMessage(b, start, available, offsets, count, mi, mi256, fp, unknown);
    }

    private static String describe(int type) {
        String name = AttributeType.name(type);
        return name.startsWith("0x") ? name : String.format("0x%04x (%s)", type, name);
    }

    /** Null when the value of a known attribute is well formed, else what is wrong with it. */
    private static String check(ByteBuffer b, int type, int off, int len) {
        return switch (type) {
            case MAPPED_ADDRESS, XOR_MAPPED_ADDRESS, ALTERNATE_SERVER, OTHER_ADDRESS, RESPONSE_ORIGIN,
                    XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS -> AddressCodec.check(b, off, len);
            case USERNAME -> atMost(len, MAX_USERNAME_BYTES);
            case REALM, NONCE, SOFTWARE -> atMost(len, MAX_TEXT_BYTES);
            case MESSAGE_INTEGRITY -> exactly(len, Integrity.SHA1_LENGTH);
            case MESSAGE_INTEGRITY_SHA256 -> len >= 16 && len <= 32 && len % 4 == 0
                    ? null : "has length " + len + ", expected 16..32 in steps of 4";
            case FINGERPRINT, CHANGE_REQUEST, PRIORITY, CHANNEL_NUMBER, LIFETIME, REQUESTED_TRANSPORT,
                    REQUESTED_ADDRESS_FAMILY, RESPONSE_PORT -> exactly(len, 4);
            case USERHASH -> exactly(len, 32);
            case ICE_CONTROLLED, ICE_CONTROLLING, RESERVATION_TOKEN -> exactly(len, 8);
            case USE_CANDIDATE, DONT_FRAGMENT -> exactly(len, 0);
            case EVEN_PORT -> exactly(len, 1);
            case ERROR_CODE -> checkErrorCode(b, off, len);
            case UNKNOWN_ATTRIBUTES -> len % 2 == 0 ? null : "has odd length " + len;
            case PASSWORD_ALGORITHMS -> checkAlgorithms(b, off, len, false);
            case PASSWORD_ALGORITHM -> checkAlgorithms(b, off, len, true);
            default -> null;
        };
    }

    private static String exactly(int len, int expected) {
        return len == expected ? null : "has length " + len + ", expected " + expected;
    }

    private static String atMost(int len, int max) {
        return len <= max ? null : "has length " + len + ", at most " + max + " allowed";
    }

    private static String checkErrorCode(ByteBuffer b, int off, int len) {
        if (len < 4) {
            return "has length " + len + ", at least 4 needed";
        }
        if (len - 4 > MAX_TEXT_BYTES) {
            return "has a reason of " + (len - 4) + " bytes, at most " + MAX_TEXT_BYTES + " allowed";
        }
        int cls = b.get(off + 2) & 0x07;
        int number = b.get(off + 3) & 0xFF;
        if (cls < 3 || cls > 6 || number > 99) {
            return "has class " + cls + " and number " + number + ", expected class 3..6 and number 0..99";
        }
        return null;
    }

    private static String checkAlgorithms(ByteBuffer b, int off, int len, boolean single) {
        int p = 0;
        int n = 0;
        while (p < len) {
            if (len - p < 4) {
                return "has a truncated algorithm entry at byte " + p;
            }
            int plen = b.getShort(off + p + 2) & 0xFFFF;
            p += 4 + ((plen + 3) & ~3);
            n++;
            if (p > len) {
                return "has algorithm parameters past its end";
            }
        }
        if (single && n != 1) {
            return "holds " + n + " algorithms, expected exactly 1";
        }
        return null;
    }

    // ---- header ---------------------------------------------------------------------------

    /** The message type (method and class). */
    public MessageType type() {
        return MessageType.decode(rawType);
    }

    /** The 12-bit method (see {@link StunMethod}). */
    public int method() {
        return (rawType & 0x3E00) >>> 2 | (rawType & 0x00E0) >>> 1 | (rawType & 0x000F);
    }

    public StunClass messageClass() {
        return StunClass.ofBits((rawType & 0x0100) >>> 7 | (rawType & 0x0010) >>> 4);
    }

    /** True when this message has method {@code method} and class {@code cls}; allocates nothing. */
    public boolean is(int method, StunClass cls) {
        return rawType == MessageType.encode(method, cls);
    }

    public TransactionId transactionId() {
        return TransactionId.read(buf, start + 8);
    }

    /** True when this message carries {@code tid}; allocates nothing. */
    public boolean hasTransactionId(TransactionId tid) {
        return tid.matches(buf, start + 8);
    }

    /** Total length in bytes, header included. */
    public int length() {
        return length;
    }

    // ---- attributes in general ------------------------------------------------------------

    /** Number of attributes (ignored ones excluded). */
    public int attributeCount() {
        return count;
    }

    /** Type of attribute {@code i} (0-based, in message order). */
    public int attributeType(int i) {
        return buf.getShort(offset(i)) & 0xFFFF;
    }

    /** Value of attribute {@code i}: a read-only view of the message bytes (no padding). */
    public ByteBuffer attributeValue(int i) {
        int off = offset(i);
        return slice(off + 4, buf.getShort(off + 2) & 0xFFFF);
    }

    private int offset(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("attribute " + i + " of " + count);
        }
        return offsets[i];
    }

    /** True when an attribute of {@code type} is present. */
    public boolean has(int type) {
        return find(type) >= 0;
    }

    /** The value of the first attribute of {@code type}, as a read-only view. */
    public Optional<ByteBuffer> attribute(int type) {
        int off = find(type);
        return off < 0 ? Optional.empty() : Optional.of(slice(off + 4, valueLength(off)));
    }

    /** The types of every attribute, in order (ignored ones excluded). */
    public List<Integer> attributeTypes() {
        List<Integer> types = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            types.add(attributeType(i));
        }
        return types;
    }

    /** Comprehension-required types (0x0000..0x7FFF) this codec does not understand, in order. */
    public List<Integer> unknownComprehensionRequired() {
        return Arrays.stream(unknownRequired).boxed().toList();
    }

    /** True when {@link #unknownComprehensionRequired()} is not empty. */
    public boolean hasUnknownComprehensionRequired() {
        return unknownRequired.length > 0;
    }

    private int find(int type) {
        for (int i = 0; i < count; i++) {
            if ((buf.getShort(offsets[i]) & 0xFFFF) == type) {
                return offsets[i];
            }
        }
        return -1;
    }

    private int valueLength(int off) {
        return buf.getShort(off + 2) & 0xFFFF;
    }

    private ByteBuffer slice(int off, int len) {
        return buf.slice(off, len).asReadOnlyBuffer();
    }

    private byte[] bytes(int off, int len) {
        byte[] v = new byte[len];
        buf.get(off, v);
        return v;
    }

    private Optional<String> text(int type) {
        int off = find(type);
        return off < 0 ? Optional.empty()
                : Optional.of(new String(bytes(off + 4, valueLength(off)), StandardCharsets.UTF_8));
    }

    private Optional<InetSocketAddress> address(int type, boolean xor) {
        int off = find(type);
        return off < 0 ? Optional.empty() : Optional.of(AddressCodec.decode(buf, off + 4, xor, start));
    }

    private OptionalInt u32(int type) {
        int off = find(type);
        return off < 0 ? OptionalInt.empty() : OptionalInt.of(buf.getInt(off + 4));
    }

    private OptionalLong u64(int type) {
        int off = find(type);
        return off < 0 ? OptionalLong.empty() : OptionalLong.of(buf.getLong(off + 4));
    }

    // ---- typed getters: RFC 8489 ----------------------------------------------------------

    public Optional<InetSocketAddress> mappedAddress() {
        return address(MAPPED_ADDRESS, false);
    }

    public Optional<InetSocketAddress> xorMappedAddress() {
        return address(XOR_MAPPED_ADDRESS, true);
    }

    public Optional<String> username() {
        return text(USERNAME);
    }

    /** The 32-byte USERHASH (a copy). */
    public Optional<byte[]> userhash() {
        int off = find(USERHASH);
        return off < 0 ? Optional.empty() : Optional.of(bytes(off + 4, 32));
    }

    public Optional<ErrorCode> errorCode() {
        int off = find(ERROR_CODE);
        if (off < 0) {
            return Optional.empty();
        }
        int v = off + 4;
        int code = (buf.get(v + 2) & 0x07) * 100 + (buf.get(v + 3) & 0xFF);
        String reason = new String(bytes(v + 4, valueLength(off) - 4), StandardCharsets.UTF_8);
        return Optional.of(new ErrorCode(code, reason));
    }

    public Optional<String> realm() {
        return text(REALM);
    }

    public Optional<String> nonce() {
        return text(NONCE);
    }

    public Optional<String> software() {
        return text(SOFTWARE);
    }

    /** The attribute types listed by UNKNOWN-ATTRIBUTES (empty when absent). */
    public List<Integer> unknownAttributes() {
        int off = find(UNKNOWN_ATTRIBUTES);
        if (off < 0) {
            return List.of();
        }
        List<Integer> types = new ArrayList<>();
        for (int p = 0; p < valueLength(off); p += 2) {
            types.add(buf.getShort(off + 4 + p) & 0xFFFF);
        }
        return types;
    }

    /** The algorithms of PASSWORD-ALGORITHMS, in order (empty when absent). */
    public List<PasswordAlgorithm> passwordAlgorithms() {
        int off = find(PASSWORD_ALGORITHMS);
        return off < 0 ? List.of() : algorithms(off);
    }

    public Optional<PasswordAlgorithm> passwordAlgorithm() {
        int off = find(PASSWORD_ALGORITHM);
        return off < 0 ? Optional.empty() : Optional.of(algorithms(off).getFirst());
    }

    private List<PasswordAlgorithm> algorithms(int off) {
        List<PasswordAlgorithm> list = new ArrayList<>();
        int len = valueLength(off);
        for (int p = 0; p < len; ) {
            list.add(new PasswordAlgorithm(buf.getShort(off + 4 + p) & 0xFFFF));
            p += 4 + (((buf.getShort(off + 4 + p + 2) & 0xFFFF) + 3) & ~3);
        }
        return list;
    }

    public Optional<InetSocketAddress> alternateServer() {
        return address(ALTERNATE_SERVER, false);
    }

    // ---- RFC 5780 -------------------------------------------------------------------------

    public Optional<InetSocketAddress> otherAddress() {
        return address(OTHER_ADDRESS, false);
    }

    public Optional<InetSocketAddress> responseOrigin() {
        return address(RESPONSE_ORIGIN, false);
    }

    public Optional<ChangeRequest> changeRequest() {
        OptionalInt v = u32(CHANGE_REQUEST);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        int flags = v.getAsInt();
        return Optional.of(new ChangeRequest((flags & ChangeRequest.CHANGE_IP) != 0,
                (flags & ChangeRequest.CHANGE_PORT) != 0));
    }

    // ---- RFC 8445 -------------------------------------------------------------------------

    /** PRIORITY, an unsigned 32-bit value. */
    public OptionalLong priority() {
        OptionalInt v = u32(PRIORITY);
        return v.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Integer.toUnsignedLong(v.getAsInt()));
    }

    public boolean useCandidate() {
        return has(USE_CANDIDATE);
    }

    /** The tie-breaker of ICE-CONTROLLED. */
    public OptionalLong iceControlled() {
        return u64(ICE_CONTROLLED);
    }

    /** The tie-breaker of ICE-CONTROLLING. */
    public OptionalLong iceControlling() {
        return u64(ICE_CONTROLLING);
    }

    // ---- RFC 8656 -------------------------------------------------------------------------

    /** The channel number (the top 16 bits of CHANNEL-NUMBER). */
    public OptionalInt channelNumber() {
        OptionalInt v = u32(CHANNEL_NUMBER);
        return v.isEmpty() ? OptionalInt.empty() : OptionalInt.of(v.getAsInt() >>> 16);
    }

    /** LIFETIME in seconds (clamped to {@link Integer#MAX_VALUE}). */
    public OptionalInt lifetime() {
        OptionalInt v = u32(LIFETIME);
        return v.isEmpty() ? OptionalInt.empty()
                : OptionalInt.of((int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(v.getAsInt())));
    }

    /** The first XOR-PEER-ADDRESS. */
    public Optional<InetSocketAddress> xorPeerAddress() {
        return address(XOR_PEER_ADDRESS, true);
    }

    /** Every XOR-PEER-ADDRESS (CreatePermission may carry several). */
    public List<InetSocketAddress> xorPeerAddresses() {
        return addresses(XOR_PEER_ADDRESS);
    }

    /** The DATA value as a read-only view of the message bytes (no copy). */
    public Optional<ByteBuffer> data() {
        return attribute(DATA);
    }

    /** The first XOR-RELAYED-ADDRESS. */
    public Optional<InetSocketAddress> xorRelayedAddress() {
        return address(XOR_RELAYED_ADDRESS, true);
    }

    /** Every XOR-RELAYED-ADDRESS (a dual-stack allocation has two). */
    public List<InetSocketAddress> xorRelayedAddresses() {
        return addresses(XOR_RELAYED_ADDRESS);
    }

    /** The IP protocol number of REQUESTED-TRANSPORT (17 for UDP). */
    public OptionalInt requestedTransport() {
        OptionalInt v = u32(REQUESTED_TRANSPORT);
        return v.isEmpty() ? OptionalInt.empty() : OptionalInt.of(v.getAsInt() >>> 24);
    }

    public boolean dontFragment() {
        return has(DONT_FRAGMENT);
    }

    /** The family byte of REQUESTED-ADDRESS-FAMILY: 1 IPv4, 2 IPv6. */
    public OptionalInt requestedAddressFamily() {
        OptionalInt v = u32(REQUESTED_ADDRESS_FAMILY);
        return v.isEmpty() ? OptionalInt.empty() : OptionalInt.of(v.getAsInt() >>> 24);
    }

    private List<InetSocketAddress> addresses(int type) {
        List<InetSocketAddress> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if ((buf.getShort(offsets[i]) & 0xFFFF) == type) {
                list.add(AddressCodec.decode(buf, offsets[i] + 4, true, start));
            }
        }
        return list;
    }

    // ---- integrity and fingerprint ---------------------------------------------------------

    public boolean hasMessageIntegrity() {
        return integrityOffset >= 0;
    }

    public boolean hasMessageIntegritySha256() {
        return integritySha256Offset >= 0;
    }

    public boolean hasFingerprint() {
        return fingerprintOffset >= 0;
    }

    /**
     * Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5) with {@code key}; false
     * when absent. Constant-time comparison.
     */
    public boolean verifyMessageIntegrity(byte[] key) {
        if (integrityOffset < 0) {
            return false;
        }
        int end = integrityOffset;
        byte[] mac = Integrity.hmacSha1(key, buf, start, end + 4 + Integrity.SHA1_LENGTH - start - HEADER_SIZE, end);
        return MessageDigest.isEqual(mac, bytes(end + 4, Integrity.SHA1_LENGTH));
    }

    /**
     * Checks MESSAGE-INTEGRITY-SHA256 (RFC 8489 section 14.6, possibly truncated to 16..32
     * bytes) with {@code key}; false when absent. Constant-time comparison.
     */
    public boolean verifyMessageIntegritySha256(byte[] key) {
        if (integritySha256Offset < 0) {
            return false;
        }
        int end = integritySha256Offset;
        int len = valueLength(end);
        byte[] mac = Integrity.hmacSha256(key, buf, start, end + 4 + len - start - HEADER_SIZE, end);
        return MessageDigest.isEqual(Arrays.copyOf(mac, len), bytes(end + 4, len));
    }

    /**
     * Checks the strongest integrity attribute present: MESSAGE-INTEGRITY-SHA256 if there
     * is one, else MESSAGE-INTEGRITY. False when the message has neither.
     */
    public boolean verifyIntegrity(byte[] key) {
        return integritySha256Offset >= 0 ? verifyMessageIntegritySha256(key) : verifyMessageIntegrity(key);
    }

    /** True when FINGERPRINT is present and matches (RFC 8489 section 14.7). */
    public boolean verifyFingerprint() {
        if (fingerprintOffset < 0) {
            return false;
        }
        int end = fingerprintOffset;
        int crc = Integrity.fingerprint(buf, start, end + 8 - start - HEADER_SIZE, end);
        return crc == buf.getInt(end + 4);
    }

    // ---- copies ---------------------------------------------------------------------------

    /** The message bytes (a copy). */
    public byte[] toBytes() {
        return bytes(start, length);
    }

    /** The message bytes as a read-only view (no copy). */
    public ByteBuffer asReadOnlyBuffer() {
        return slice(start, length);
    }

    /** The same message over a private copy of its bytes, independent of the original buffer. */
    public StunMessage copy() {
        try {
            return parse(ByteBuffer.wrap(toBytes()));
        } catch (StunParseException e) {
            throw new AssertionError("a parsed message parses again", e);
        }
    }

    /** E.g. {@code Binding success response 0123...cdef [XOR-MAPPED-ADDRESS, SOFTWARE, FINGERPRINT]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(type()).append(' ').append(transactionId()).append(" [");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(AttributeType.name(attributeType(i)));
        }
        return sb.append(']').toString();
    }
}
