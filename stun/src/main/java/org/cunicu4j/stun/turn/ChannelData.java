package org.cunicu4j.stun.turn;

import java.nio.ByteBuffer;

/**
 * The ChannelData message of TURN (RFC 8656 section 12.4): a 2-byte channel number
 * ({@value #MIN_CHANNEL}..{@value #MAX_CHANNEL}), a 2-byte length and the application
 * data, padded to a multiple of four bytes over TCP and TLS (the length excludes the
 * padding). Stateless helpers working on caller-owned buffers, allocation-free.
 */
public final class ChannelData {
    /** Header length in bytes. */
    public static final int HEADER = 4;
    /** The lowest channel number a client may bind. */
    public static final int MIN_CHANNEL = 0x4000;
    /** The highest channel number a client may bind (RFC 8656 narrowed RFC 5766's range). */
    public static final int MAX_CHANNEL = 0x4FFF;

    private ChannelData() {}

    /** True when {@code channel} is a bindable channel number. */
    public static boolean isChannel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /**
     * True when the bytes from {@code buf}'s position look like a ChannelData message: a
     * channel number in range and a length that fits in what remains. Does not move the
     * position.
     */
    public static boolean looksLike(ByteBuffer buf) {
        int p = buf.position();
        return buf.remaining() >= HEADER && isChannel(buf.getShort(p) & 0xFFFF)
                && (buf.getShort(p + 2) & 0xFFFF) <= buf.remaining() - HEADER;
    }

    /** The channel number at {@code buf}'s position. */
    public static int channel(ByteBuffer buf) {
        return buf.getShort(buf.position()) & 0xFFFF;
    }

    /** The data length at {@code buf}'s position (excluding padding). */
    public static int length(ByteBuffer buf) {
        return buf.getShort(buf.position() + 2) & 0xFFFF;
    }

    /** Bytes a ChannelData message of {@code dataLength} bytes takes on the wire, padded or not. */
    public static int wireLength(int dataLength, boolean padded) {
        int n = HEADER + dataLength;
        return padded ? (n + 3) & ~3 : n;
    }

    /**
     * Writes a ChannelData message with the bytes of {@code data} (position to limit, left
     * unchanged) at {@code out}'s position, advancing it; pads with zeros when asked.
     *
     * @throws java.nio.BufferOverflowException when {@code out} has too little room
     */
    public static void write(ByteBuffer out, int channel, ByteBuffer data, boolean padded) {
        if (!isChannel(channel)) {
            throw new IllegalArgumentException("channel must be 0x4000..0x4FFF, got 0x" + Integer.toHexString(channel));
        }
        int len = data.remaining();
        if (len > 0xFFFF) {
            throw new IllegalArgumentException("ChannelData carries at most 65535 bytes, got " + len);
        }
        if (out.remaining() < wireLength(len, padded)) {
            throw new java.nio.BufferOverflowException();
        }
        out.putShort((short) channel).putShort((short) len).put(out.position(), data, data.position(), len);
        out.position(out.position() + len);
        for (int pad = wireLength(len, padded) - HEADER - len; pad > 0; pad--) {
            out.put((byte) 0);
        }
    }
}
