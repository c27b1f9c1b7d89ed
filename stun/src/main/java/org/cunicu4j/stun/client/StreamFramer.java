package org.cunicu4j.stun.client;

import java.nio.ByteBuffer;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunParseException;

/**
 * Cuts a TCP/TLS byte stream into STUN messages and TURN ChannelData frames (RFC 8489
 * section 6.2.2, RFC 8656 section 12.5). The first two bits of a frame tell the kind:
 * {@code 00} a STUN message, {@code 20 + length} bytes long (the length a multiple of 4);
 * {@code 01} ChannelData, a 4-byte header (channel, length) and {@code length} bytes of
 * data, padded on a stream to a multiple of 4 (the padding is consumed and not part of
 * the frame); anything else breaks the stream.
 *
 * <p>Feed it bytes as they arrive ({@link #feed}) and take whole frames ({@link #next}).
 * Not thread-safe: one reader owns it.
 */
public final class StreamFramer {
    /** What a frame holds. */
    public enum Kind {
        STUN,
        CHANNEL_DATA
    }

    /**
     * One frame: a STUN message, or ChannelData without its stream padding.
     *
     * @param data the frame's bytes, position 0 to limit (owned by the receiver)
     */
    public record Frame(Kind kind, ByteBuffer data) {}

    private ByteBuffer acc = ByteBuffer.allocate(4096);

    /** Appends the bytes from {@code in}'s position to its limit (consumed). */
    public void feed(ByteBuffer in) {
        if (acc.remaining() < in.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(acc.capacity() * 2, acc.position() + in.remaining()));
            acc.flip();
            bigger.put(acc);
            acc = bigger;
        }
        acc.put(in);
    }

    /** Appends {@code len} bytes of {@code bytes} from {@code off}. */
    public void feed(byte[] bytes, int off, int len) {
        feed(ByteBuffer.wrap(bytes, off, len));
    }

    /** Bytes fed but not yet returned as frames. */
    public int buffered() {
        return acc.position();
    }

    /**
     * The next whole frame, or null until more bytes arrive.
     *
     * @throws StunParseException when the stream holds neither STUN nor ChannelData; the
     *     stream cannot be resynchronised and should be closed
     */
    public Frame next() throws StunParseException {
        int have = acc.position();
        if (have < 4) {
            return null;
        }
        int first = acc.get(0) & 0xFF;
        int length = acc.getShort(2) & 0xFFFF;
        Kind kind;
        int frameLength;
        int consumed;
        switch (first >>> 6) {
            case 0 -> {
                if ((length & 3) != 0) {
                    throw new StunParseException("STUN message length " + length + " on the stream is not a multiple of 4");
                }
                kind = Kind.STUN;
                frameLength = StunMessage.HEADER_SIZE + length;
                consumed = frameLength;
            }
            case 1 -> {
                kind = Kind.CHANNEL_DATA;
                frameLength = 4 + length;
                consumed = pad(frameLength);
            }
            default -> throw new StunParseException(String.format(
                    "the stream holds neither STUN nor ChannelData (first byte 0x%02x)", first));
        }
        if (have < consumed) {
            return null;
        }
        byte[] frame = new byte[frameLength];
        acc.get(0, frame);
        acc.flip().position(consumed);
        acc.compact();
        return new Frame(kind, ByteBuffer.wrap(frame));
    }

    /** {@code length} rounded up to a multiple of 4: a ChannelData frame's size on a stream. */
    public static int pad(int length) {
        return (length + 3) & ~3;
    }
}
