package org.cunicu4j.wireguard.tun;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The device side of a WireGuard interface: whole IPv4/IPv6 packets in and out, in
 * batches. The role of wireguard-go's {@code tun.Device}; {@link LinuxTun} is the real
 * interface, {@link MemoryTun} an in-process one for tests.
 *
 * <p>Threading: one reader thread calls {@link #read}; {@link #write} may be called from
 * several threads at once; {@link #close} from any thread wakes a blocked reader, which then
 * throws {@link java.nio.channels.ClosedChannelException}.
 */
public interface Tun extends AutoCloseable {

    /** The interface name. */
    String name();

    /** The MTU packets are sized for. */
    int mtu();

    /**
     * Reads up to {@code max} packets, blocking until at least one is there. Packet i is read
     * into {@code buffers[i]} from its position; on return the buffer's limit is the end of
     * the packet and its position is unchanged. The buffers are borrowed for the call.
     *
     * @return the number of packets read, at least 1
     */
    int read(ByteBuffer[] buffers, int max) throws IOException;

    /**
     * Bytes a writer must leave free before the packet in the buffer given to {@link #write}
     * (a vnet header goes there); 0 by default.
     */
    default int writeHeadroom() {
        return 0;
    }

    /**
     * Writes one packet: the bytes from {@code packet}'s position to its limit (borrowed for
     * the call), with {@link #writeHeadroom()} bytes before the position free for the Tun's
     * use. A packet the system refuses is dropped and reported by returning false.
     */
    boolean write(ByteBuffer packet) throws IOException;

    /** A writer for the calling thread; the default writes each packet at once with {@link #write}. */
    default TunWriter newWriter() {
        return new TunWriter() {
            @Override
            public boolean write(ByteBuffer packet) throws IOException {
                return Tun.this.write(packet);
            }

            @Override
            public boolean flush() {
                return true;
            }
        };
    }

    /** Input from the interface that could not be parsed and was dropped (0 by default: a plain TUN hands out packets as they are). */
    default long malformed() {
        return 0;
    }

        /** Closes the interface (a real one disappears); wakes a blocked reader. Idempotent. */
    @Override
    void close();
}
