package org.cunicu4j.net.udp;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.cunicu4j.linux.socket.MessageBatch;
import org.cunicu4j.net.PacketBatch;

/**
 * The native twin of one {@link PacketBatch}: a {@link MessageBatch} whose iovecs point
 * straight at the batch's direct buffers. Rebuilt only when a different batch (by
 * identity) comes along, so a caller reusing its batch costs no allocation per call.
 * Holding the bound batch keeps its buffers, and so the iovecs' memory, alive. Confined
 * to one thread.
 */
final class BatchBinding {
    /** Linux accepts at most this many messages per recvmmsg/sendmmsg (UIO_MAXIOV). */
    static final int MAX_VLEN = 1024;

    private PacketBatch bound;
    private MessageBatch messages;
    private long[] bases;
    /** Scratch for one address, 4 or 16 bytes. */
    final byte[] address = new byte[16];

    /**
     * The message batch for {@code batch}, with the iovecs of its first {@link #slots()}
     * slots covering each buffer's full capacity (what receiving wants; senders rewrite
     * them per call from {@link #base}).
     */
    MessageBatch bind(PacketBatch batch) {
        if (batch == bound) {
            return messages;
        }
        int slots = Math.min(batch.capacity(), MAX_VLEN);
        if (messages == null || messages.capacity() != slots) {
            messages = new MessageBatch(slots);
        }
        if (bases == null || bases.length != batch.capacity()) {
            bases = new long[batch.capacity()];
        }
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
        return messages;
    }

    /** Native address of the bound batch's slot {@code slot} buffer at index 0 (any slot of the batch). */
    long base(int slot) {
        return bases[slot];
    }

    int slots() {
        return messages.capacity();
    }
}
