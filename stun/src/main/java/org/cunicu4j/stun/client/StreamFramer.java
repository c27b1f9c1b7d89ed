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
 * <p>Feed it bytes as they arrive ({@link #feed}) and take whole frames: {@link #nextView}
 * without allocating (a view valid until the next call to this framer), or {@link #next}
 * as a copy of one's own. Not thread-safe: one reader owns it.
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
    private ByteBuffer view = acc.duplicate();
    private int returned; // bytes at the front of acc that the last view covered (with padding)

    /** Appends the bytes from {@code in}'s position to its limit (consumed). */
    public void feed(ByteBuffer in) {
        int n = in.remaining();
        room(n);
        acc.put(in);
    }

    /** Appends {@code len} bytes of {@code bytes} from {@code off}. */
    public void feed(byte[] bytes, int off, int len) {
        room(len);
        acc.put(bytes, off, len);
    }

    private void room(int n) {
        release();
        if (acc.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(acc.capacity() * 2, acc.position() + n));
            acc.flip();
            bigger.put(acc);
            acc = bigger;
            view = acc.duplicate();
        }
    }

    /** Drops the frame the last view showed. */
    private void release() {
        if (returned > 0) {
            acc.flip().position(returned);
            acc.compact();
            returned = 0;
        }
    }

    /** Bytes fed but not yet returned as frames. */
    public int buffered() {
        return acc.position() - returned;
    }

    /** The kind of a frame returned by {@link #nextView}. */
    public static Kind kind(ByteBuffer frame) {
        return (frame.get(frame.position()) & 0xC0) == 0 ? Kind.STUN : Kind.CHANNEL_DATA;
    }

    /** The next whole frame as a copy of its own, or null; see {@link #nextView}. */
    public Frame next() throws StunParseException {
        ByteBuffer v = nextView();
        if (v == null) {
            return null;
        }
        byte[] frame = new byte[v.remaining()];
        v.get(0, frame);
        return new Frame(kind(v), ByteBuffer.wrap(frame));
    }

    /**
     * The next whole frame (a STUN message, or ChannelData without its stream padding) as a
     * view from position 0 to the frame's length, or null until more bytes arrive.
     * Allocates nothing; the view is the framer's and valid until the next call to
     * {@link #feed}, {@link #next} or this method.
     *
     * @throws StunParseException when the stream holds neither STUN nor ChannelData; the
     *     stream cannot be resynchronised and should be closed
     */
    public ByteBuffer nextView() throws StunParseException {
        release();
        int have = acc.position();
        if (have < 4) {
            return null;
        }
        int first = acc.get(0) & 0xFF;
        int length = acc.getShort(2) & 0xFFFF;
        int frameLength;
        int consumed;
        switch (first >>> 6) {
            case 0 -> {
                if ((length & 3) != 0) {
                    throw new StunParseException("STUN message length " + length + " on the stream is not a multiple of 4");
                }
                frameLength = StunMessage.HEADER_SIZE + length;
                consumed = frameLength;
            }
            case 1 -> {
                frameLength = 4 + length;
                consumed = pad(frameLength);
            }
            default -> throw new StunParseException(String.format(
                    "the stream holds neither STUN nor ChannelData (first byte 0x%02x)", first));
        }
        if (have < consumed) {
            return null;
        }
        returned = consumed;
        return view.limit(frameLength).position(0);
    }

    /** {@code length} rounded up to a multiple of 4: a ChannelData frame's size on a stream. */
    public static int pad(int length) {
        return (length + 3) & ~3;
    }
}
