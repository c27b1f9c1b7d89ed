package org.cunicu4j.wireguard.tun;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One thread's writer to a {@link Tun}: {@link #write} packets, then {@link #flush()} at
 * the end of each batch. A Tun may coalesce what is written between flushes (TCP segments
 * of one flow into one super-packet, see {@link VnetTun}); the plain one writes at once.
 *
 * <p>Not thread-safe: one per writing thread.
 */
public interface TunWriter {

    /**
     * Writes (or keeps for coalescing) the packet from {@code packet}'s position to its
     * limit, with {@link Tun#writeHeadroom()} free bytes before the position. The buffer is
     * borrowed for the call only.
     *
     * @return false when the Tun refused a packet (dropped)
     */
    boolean write(ByteBuffer packet) throws IOException;

    /**
     * Writes whatever is kept.
     *
     * @return false when the Tun refused a packet (dropped)
     */
    boolean flush() throws IOException;
}
