package org.cunicu4j.net.udp;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.cunicu4j.linux.socket.MessageBatch;
import org.cunicu4j.net.PacketBatch;

/**
 * The native twins of the last two {@link PacketBatch}es bound: {@link MessageBatch}es whose
 * iovecs point straight at each batch's direct buffers. A twin is rebuilt only when a third
 * batch (by identity) comes along and takes the place of the one used longer ago, so a
 * caller reusing one batch, or alternating two (a data path and a handshake path on one
 * thread), costs no allocation per call. Holding the bound batches keeps their buffers, and
 * so the iovecs' memory, alive. Confined to one thread.
 */
final class BatchBinding {
    /** Linux accepts at most this many messages per recvmmsg/sendmmsg (UIO_MAXIOV). */
    static final int MAX_VLEN = 1024;

    /** One batch's twin. */
    private static final class Twin {
        PacketBatch bound;
        MessageBatch messages;
        long[] bases;

        void rebind(PacketBatch batch) {
            int slots = Math.min(batch.capacity(), MAX_VLEN);
            if (messages == null || messages.capacity() != slots) {
                messages = new MessageBatch(slots);
            }
            if (bases == null || bases.length != batch.capacity()) {
                bases = new long[batch.capacity()];
            }
            bound = null; // half rebound is not bound
            for (int i = 0; i < bases.length; i++) {
                ByteBuffer buf = batch.buffer(i);
                if (!buf.isDirect()) {
                    throw new IllegalArgumentException("PacketBatch buffers must be direct");
                }
                bases[i] = MemorySegment.ofBuffer(buf.duplicate().clear()).address();
                if (i < slots) {
                    messages.setBuffer(i, bases[i], buf.capacity());
                }
            }
            bound = batch;
        }
    }

    /** The twin used last, then the one before. */
    private Twin recent = new Twin();
    private Twin older = new Twin();
    /** Scratch for one address, 4 or 16 bytes. */
    final byte[] address = new byte[16];

    /**
     * The message batch for {@code batch}, with the iovecs of its first {@link #slots()}
     * slots covering each buffer's full capacity (what receiving wants; senders rewrite
     * them per call from {@link #base}). {@link #base} and {@link #slots} then answer for
     * this batch.
     */
    MessageBatch bind(PacketBatch batch) {
        if (recent.bound != batch) {
            Twin t = older;
            older = recent;
            recent = t;
            if (t.bound != batch) {
                t.rebind(batch);
            }
        }
        return recent.messages;
    }

    /** Native address of the last bound batch's slot {@code slot} buffer at index 0 (any slot of the batch). */
    long base(int slot) {
        return recent.bases[slot];
    }

    int slots() {
        return recent.messages.capacity();
    }
}
