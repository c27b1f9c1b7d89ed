package org.cunicu4j.wireguard.conn;

/**
 * How a {@link UdpBind} is set up: where datagrams that are not WireGuard go, the socket
 * buffer size and the batch size. Immutable; start from {@link #defaults()} and change with
 * the {@code with...} methods.
 *
 * <p>Datagrams that are not WireGuard go to at most one place: a {@link ForeignPacketHandler}
 * called on the receive thread, or a queue of {@code foreignQueue} datagrams per address
 * family that the sharer reads through {@link UdpBind#sharedConn}'s {@code receive}, or,
 * with neither, nowhere (dropped and counted).
 *
 * @param foreignHandler takes datagrams that are not WireGuard on the receive thread; or null
 * @param foreignQueue datagrams queued per family for {@link UdpBind#sharedConn}'s receive
 *     (0: no queue); excludes a handler
 * @param socketBufferSize bytes asked for each socket's receive and send buffer
 *     ({@code SO_RCVBUFFORCE}/{@code SO_SNDBUFFORCE} when permitted, else the plain
 *     options, which {@code net.core.rmem_max}/{@code wmem_max} cap); 0 leaves the system's
 * @param batchSize what {@link Bind#batchSize()} reports: slots per receive and send
 */
public record UdpBindOptions(ForeignPacketHandler foreignHandler, int foreignQueue, int socketBufferSize, int batchSize) {

    /** 7 MiB per socket and direction, as wireguard-go asks for. */
    public static final int DEFAULT_SOCKET_BUFFER_SIZE = 7 << 20;
    /** Datagrams per recvmmsg/sendmmsg by default. */
    public static final int DEFAULT_BATCH_SIZE = 64;
    /** The largest {@link #foreignQueue} (each slot holds 2 KiB of direct memory). */
    public static final int MAX_FOREIGN_QUEUE = 1 << 16;

    public UdpBindOptions {
        if (foreignQueue < 0 || foreignQueue > MAX_FOREIGN_QUEUE) {
            throw new IllegalArgumentException("foreignQueue must be 0.." + MAX_FOREIGN_QUEUE + ", got " + foreignQueue);
        }
        if (foreignHandler != null && foreignQueue > 0) {
            throw new IllegalArgumentException("foreign datagrams go to a handler or to a queue, not both");
        }
        if (socketBufferSize < 0) {
            throw new IllegalArgumentException("socketBufferSize must be ≥ 0 (0: leave the system's), got " + socketBufferSize);
        }
        if (batchSize < 1 || batchSize > 1024) {
            throw new IllegalArgumentException("batchSize must be 1..1024, got " + batchSize);
        }
    }

    /** No handler and no queue (foreign datagrams dropped), 7 MiB buffers, batches of 64. */
    public static UdpBindOptions defaults() {
        return new UdpBindOptions(null, 0, DEFAULT_SOCKET_BUFFER_SIZE, DEFAULT_BATCH_SIZE);
    }

    /** Foreign datagrams to {@code handler} (and no queue). */
    public UdpBindOptions withForeignHandler(ForeignPacketHandler handler) {
        return new UdpBindOptions(handler, 0, socketBufferSize, batchSize);
    }

    /** Foreign datagrams queued, up to {@code datagrams} per family, for the shared conns' receive (and no handler). */
    public UdpBindOptions withForeignQueue(int datagrams) {
        return new UdpBindOptions(null, datagrams, socketBufferSize, batchSize);
    }

    /** 0 leaves the system's default buffer sizes. */
    public UdpBindOptions withSocketBufferSize(int bytes) {
        return new UdpBindOptions(foreignHandler, foreignQueue, bytes, batchSize);
    }

    public UdpBindOptions withBatchSize(int slots) {
        return new UdpBindOptions(foreignHandler, foreignQueue, socketBufferSize, slots);
    }
}
