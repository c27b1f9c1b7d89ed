package org.cunicu4j.stun;

import static org.cunicu4j.stun.AttributeType.*;

import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Writes one STUN message: the header at construction, then each attribute as its method
 * is called (value padded with zeros to a multiple of 4 bytes), and at {@link #build()} /
 * {@link #finish()} MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, in that
 * order, for those that were asked for.
 *
 * <p>Made by {@link StunMessage#builder}: either into a buffer of its own (growing as
 * needed) or into the caller's buffer from its position (then a
 * {@link java.nio.BufferOverflowException} is thrown when the message does not fit).
 * Single use, not thread-safe.
 */
public final class StunMessageBuilder {
    private final TransactionId tid;
    private final boolean ownBuffer;
    private final ByteBuffer target;
    private ByteBuffer out;
    private final int start;
    private byte[] integrityKey;
    private byte[] integritySha256Key;
    private boolean fingerprint;
    private boolean finished;

    StunMessageBuilder(MessageType type, TransactionId tid, ByteBuffer dst) {
        Objects.requireNonNull(type, "type");
        this.tid = Objects.requireNonNull(tid, "tid");
        this.ownBuffer = dst == null;
        this.target = dst;
        // the caller's buffer is written through a big-endian view: its own byte order stays
        this.out = (ownBuffer ? ByteBuffer.allocate(128) : dst.duplicate()).order(ByteOrder.BIG_ENDIAN);
        this.start = out.position();
        ensure(StunMessage.HEADER_SIZE);
        out.putShort((short) type.encode());
        out.putShort((short) 0);
        out.putInt(StunMessage.MAGIC_COOKIE);
        tid.writeTo(out, out.position());
        out.position(out.position() + TransactionId.LENGTH);
    }

    private void ensure(int more) {
        if (ownBuffer && out.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + more));
            out.flip();
            bigger.put(out);
            out = bigger;
        }
    }

    private void open(int type, int len) {
        if (finished) {
            throw new IllegalStateException("the message is already built");
        }
        if (len > 0xFFFF) {
            throw new IllegalArgumentException(AttributeType.name(type) + " value of " + len + " bytes is too long");
        }
        int padded = (len + 3) & ~3;
        if (out.position() - start - StunMessage.HEADER_SIZE + 4 + padded > 0xFFFF) {
            throw new IllegalArgumentException("message would exceed 65535 bytes of attributes");
        }
        ensure(4 + padded);
        if (!ownBuffer && out.remaining() < 4 + padded) {
            throw new BufferOverflowException();
        }
        out.putShort((short) type);
        out.putShort((short) len);
    }

    private void close(int len) {
        for (int i = len; (i & 3) != 0; i++) {
            out.put((byte) 0);
        }
        out.putShort(start + 2, (short) (out.position() - start - StunMessage.HEADER_SIZE));
    }

    // ---- raw ------------------------------------------------------------------------------

    /** Adds an attribute with the bytes of {@code value}. */
    public StunMessageBuilder attribute(int type, byte[] value) {
        open(type, value.length);
        out.put(value);
        close(value.length);
        return this;
    }

    /** Adds an attribute with the bytes from {@code value}'s position to its limit (position unchanged). */
    public StunMessageBuilder attribute(int type, ByteBuffer value) {
        int len = value.remaining();
        open(type, len);
        out.put(value.duplicate());
        close(len);
        return this;
    }

    private StunMessageBuilder text(int type, String s, int max) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        if (v.length > max) {
            throw new IllegalArgumentException(AttributeType.name(type) + " of " + v.length
                    + " bytes is longer than " + max);
        }
        return attribute(type, v);
    }

    private StunMessageBuilder address(int type, InetSocketAddress address, boolean xor) {
        int len = AddressCodec.valueLength(address);
        open(type, len);
        AddressCodec.encode(out, address, xor, tid);
        close(len);
        return this;
    }

    private StunMessageBuilder u32(int type, int value) {
        open(type, 4);
        out.putInt(value);
        close(4);
        return this;
    }

    private StunMessageBuilder u64(int type, long value) {
        open(type, 8);
        out.putLong(value);
        close(8);
        return this;
    }

    private StunMessageBuilder flag(int type) {
        open(type, 0);
        close(0);
        return this;
    }

    // ---- RFC 8489 -------------------------------------------------------------------------

    public StunMessageBuilder mappedAddress(InetSocketAddress address) {
        return address(MAPPED_ADDRESS, address, false);
    }

    public StunMessageBuilder xorMappedAddress(InetSocketAddress address) {
        return address(XOR_MAPPED_ADDRESS, address, true);
    }

    /** USERNAME as given (prepare it first with {@link StringPrep} where the RFC asks). */
    public StunMessageBuilder username(String username) {
        return text(USERNAME, username, StunMessage.MAX_USERNAME_BYTES);
    }

    /** USERHASH: 32 bytes, see {@link StunCredentials#userhash}. */
    public StunMessageBuilder userhash(byte[] hash) {
        if (hash.length != 32) {
            throw new IllegalArgumentException("USERHASH has 32 bytes, got " + hash.length);
        }
        return attribute(USERHASH, hash);
    }

    public StunMessageBuilder errorCode(int code, String reason) {
        ErrorCode ec = new ErrorCode(code, reason);
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        if (r.length > StunMessage.MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("reason of " + r.length + " bytes is too long");
        }
        open(ERROR_CODE, 4 + r.length);
        out.putShort((short) 0);
        out.put((byte) ec.errorClass());
        out.put((byte) ec.number());
        out.put(r);
        close(4 + r.length);
        return this;
    }

    public StunMessageBuilder errorCode(ErrorCode code) {
        return errorCode(code.code(), code.reason());
    }

    public StunMessageBuilder realm(String realm) {
        return text(REALM, realm, StunMessage.MAX_TEXT_BYTES);
    }

    public StunMessageBuilder nonce(String nonce) {
        return text(NONCE, nonce, StunMessage.MAX_TEXT_BYTES);
    }

    /** PASSWORD-ALGORITHMS with these algorithms (no parameters), in order. */
    public StunMessageBuilder passwordAlgorithms(List<PasswordAlgorithm> algorithms) {
        int len = 4 * algorithms.size();
        open(PASSWORD_ALGORITHMS, len);
        for (PasswordAlgorithm a : algorithms) {
            out.putShort((short) a.code());
            out.putShort((short) 0);
        }
        close(len);
        return this;
    }

    public StunMessageBuilder passwordAlgorithm(PasswordAlgorithm algorithm) {
        open(PASSWORD_ALGORITHM, 4);
        out.putShort((short) algorithm.code());
        out.putShort((short) 0);
        close(4);
        return this;
    }

    /** UNKNOWN-ATTRIBUTES listing {@code types} (for a 420 response). */
    public StunMessageBuilder unknownAttributes(List<Integer> types) {
        int len = 2 * types.size();
        open(UNKNOWN_ATTRIBUTES, len);
        for (int t : types) {
            out.putShort((short) t);
        }
        close(len);
        return this;
    }

    public StunMessageBuilder software(String software) {
        return text(SOFTWARE, software, StunMessage.MAX_TEXT_BYTES);
    }

    public StunMessageBuilder alternateServer(InetSocketAddress address) {
        return address(ALTERNATE_SERVER, address, false);
    }

    // ---- RFC 5780 -------------------------------------------------------------------------

    public StunMessageBuilder otherAddress(InetSocketAddress address) {
        return address(OTHER_ADDRESS, address, false);
    }

    public StunMessageBuilder responseOrigin(InetSocketAddress address) {
        return address(RESPONSE_ORIGIN, address, false);
    }

    public StunMessageBuilder changeRequest(boolean changeIp, boolean changePort) {
        return u32(CHANGE_REQUEST, new ChangeRequest(changeIp, changePort).flags());
    }

    // ---- RFC 8445 -------------------------------------------------------------------------

    /** PRIORITY, an unsigned 32-bit value. */
    public StunMessageBuilder priority(long priority) {
        if (priority < 0 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("priority is an unsigned 32-bit value, got " + priority);
        }
        return u32(PRIORITY, (int) priority);
    }

    public StunMessageBuilder useCandidate() {
        return flag(USE_CANDIDATE);
    }

    public StunMessageBuilder iceControlled(long tieBreaker) {
        return u64(ICE_CONTROLLED, tieBreaker);
    }

    public StunMessageBuilder iceControlling(long tieBreaker) {
        return u64(ICE_CONTROLLING, tieBreaker);
    }

    // ---- RFC 8656 -------------------------------------------------------------------------

    /** CHANNEL-NUMBER: 0x4000..0x4FFF for a valid channel (not checked here). */
    public StunMessageBuilder channelNumber(int channel) {
        if (channel < 0 || channel > 0xFFFF) {
            throw new IllegalArgumentException("a channel number has 16 bits, got " + channel);
        }
        return u32(CHANNEL_NUMBER, channel << 16);
    }

    /** LIFETIME in seconds. */
    public StunMessageBuilder lifetime(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("lifetime must not be negative, got " + seconds);
        }
        return u32(LIFETIME, seconds);
    }

    public StunMessageBuilder xorPeerAddress(InetSocketAddress address) {
        return address(XOR_PEER_ADDRESS, address, true);
    }

    /** DATA with the bytes from {@code data}'s position to its limit (position unchanged). */
    public StunMessageBuilder data(ByteBuffer data) {
        return attribute(DATA, data);
    }

    public StunMessageBuilder data(byte[] data) {
        return attribute(DATA, data);
    }

    public StunMessageBuilder xorRelayedAddress(InetSocketAddress address) {
        return address(XOR_RELAYED_ADDRESS, address, true);
    }

    /** REQUESTED-TRANSPORT with an IP protocol number (17: UDP). */
    public StunMessageBuilder requestedTransport(int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("a protocol number has 8 bits, got " + protocol);
        }
        return u32(REQUESTED_TRANSPORT, protocol << 24);
    }

    public StunMessageBuilder dontFragment() {
        return flag(DONT_FRAGMENT);
    }

    /** REQUESTED-ADDRESS-FAMILY: 1 IPv4, 2 IPv6. */
    public StunMessageBuilder requestedAddressFamily(int family) {
        if (family != AddressCodec.FAMILY_IPV4 && family != AddressCodec.FAMILY_IPV6) {
            throw new IllegalArgumentException("address family is 1 (IPv4) or 2 (IPv6), got " + family);
        }
        return u32(REQUESTED_ADDRESS_FAMILY, family << 24);
    }

    // ---- integrity and fingerprint ---------------------------------------------------------

    /** Appends MESSAGE-INTEGRITY (HMAC-SHA1 with {@code key}) when the message is built. */
    public StunMessageBuilder messageIntegrity(byte[] key) {
        this.integrityKey = key.clone();
        return this;
    }

    /** Appends MESSAGE-INTEGRITY-SHA256 (full 32 bytes) when the message is built. */
    public StunMessageBuilder messageIntegritySha256(byte[] key) {
        this.integritySha256Key = key.clone();
        return this;
    }

    /** Appends FINGERPRINT, last, when the message is built. */
    public StunMessageBuilder fingerprint() {
        this.fingerprint = true;
        return this;
    }

    /**
     * Completes the message in the target buffer and returns its length; the buffer's
     * position is then just after the message.
     */
    public int finish() {
        if (finished) {
            throw new IllegalStateException("the message is already built");
        }
        if (integrityKey != null) {
            open(MESSAGE_INTEGRITY, Integrity.SHA1_LENGTH);
            int at = out.position() - 4;
            byte[] mac = Integrity.hmacSha1(integrityKey, out, start, at + 4 + Integrity.SHA1_LENGTH
                    - start - StunMessage.HEADER_SIZE, at);
            out.put(mac);
            close(Integrity.SHA1_LENGTH);
        }
        if (integritySha256Key != null) {
            open(MESSAGE_INTEGRITY_SHA256, Integrity.SHA256_LENGTH);
            int at = out.position() - 4;
            byte[] mac = Integrity.hmacSha256(integritySha256Key, out, start, at + 4 + Integrity.SHA256_LENGTH
                    - start - StunMessage.HEADER_SIZE, at);
            out.put(mac);
            close(Integrity.SHA256_LENGTH);
        }
        if (fingerprint) {
            open(FINGERPRINT, 4);
            int at = out.position() - 4;
            out.putInt(Integrity.fingerprint(out, start, at + 8 - start - StunMessage.HEADER_SIZE, at));
            close(4);
        }
        finished = true;
        if (target != null) {
            target.position(out.position());
        }
        return out.position() - start;
    }

    /** Completes the message and returns its bytes (a new array). */
    public byte[] build() {
        int len = finish();
        byte[] bytes = new byte[len];
        out.get(start, bytes);
        return bytes;
    }

    /** Completes the message and parses it back (over a private copy). */
    public StunMessage buildMessage() {
        try {
            return StunMessage.parse(build());
        } catch (StunParseException e) {
            throw new AssertionError("a built message parses", e);
        }
    }

    @Override
    public String toString() {
        return "StunMessageBuilder " + tid + " " + (out.position() - start) + " bytes"
                + (finished ? " (built)" : "");
    }
}
