package org.cunicu4j.daemon.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The control socket's framing: a 4-byte big-endian length, then that many bytes of one
 * protobuf message. Stateless; blocking channels.
 */
final class Frames {
    private Frames() {}

    /** A frame's announced length is negative or over the reader's limit. */
    static final class FrameTooLargeException extends IOException {
        FrameTooLargeException(long length, int limit) {
            super("a message of " + length + " bytes exceeds the limit of " + limit + " bytes");
        }
    }

    /**
     * Reads one frame's payload.
     *
     * @return the payload, or null when the stream ended cleanly before a frame began
     * @throws FrameTooLargeException when the length is over {@code maxBytes} (nothing more is read)
     * @throws EOFException when the stream ends inside a frame
     */
    static byte[] read(ReadableByteChannel ch, int maxBytes) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        if (!fill(ch, header, true)) {
            return null;
        }
        long length = Integer.toUnsignedLong(header.flip().getInt());
        if (length > maxBytes) {
            throw new FrameTooLargeException(length, maxBytes);
        }
        ByteBuffer body = ByteBuffer.allocate((int) length);
        fill(ch, body, false);
        return body.array();
    }

    /** Writes {@code payload} as one frame (the whole frame in one gathering write where possible). */
    static void write(WritableByteChannel ch, byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
        frame.putInt(payload.length).put(payload).flip();
        while (frame.hasRemaining()) {
            ch.write(frame);
        }
    }

    /** Fills {@code buf}; false on EOF before the first byte when {@code eofOk}. */
    private static boolean fill(ReadableByteChannel ch, ByteBuffer buf, boolean eofOk) throws IOException {
        boolean first = true;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                if (first && eofOk) {
                    return false;
                }
                throw new EOFException("the stream ended inside a message (" + buf.position() + " of " + buf.limit() + " bytes)");
            }
            first = false;
        }
        return true;
    }
}
