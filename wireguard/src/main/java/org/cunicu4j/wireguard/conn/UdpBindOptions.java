package org.cunicu4j.wireguard.conn;

/**
 * How a {@link UdpBind} is set up: the handler for datagrams that are not WireGuard, the
 * socket buffer size and the batch size. Immutable; start from {@link #defaults()} and
 * change with the {@code with...} methods.
 *
 * @param foreignHandler takes datagrams that are not WireGuard; null drops and counts them
 * @param socketBufferSize bytes asked for each socket's receive and send buffer
 *     ({@code SO_RCVBUFFORCE}/{@code SO_SNDBUFFORCE} when permitted, else the plain
 *     options, which {@code net.core.rmem_max}/{@code wmem_max} cap)
 * @param batchSize what {@link Bind#batchSize()} reports: slots per receive and send
 */
public record UdpBindOptions(ForeignPacketHandler foreignHandler, int socketBufferSize, int batchSize) {

    /** 7 MiB per socket and direction, as wireguard-go asks for. */
    public static final int DEFAULT_SOCKET_BUFFER_SIZE = 7 << 20;
    /** Datagrams per recvmmsg/sendmmsg by default. */
    public static final int DEFAULT_BATCH_SIZE = 64;

    public UdpBindOptions {
        if (socketBufferSize < 0) {
            throw new IllegalArgumentException("socketBufferSize must be ≥ 0 (0: leave the system's), got " + socketBufferSize);
        }
        if (batchSize < 1 || batchSize > 1024) {
            throw new IllegalArgumentException("batchSize must be 1..1024, got " + batchSize);
        }
    }

    /** No foreign handler, 7 MiB buffers, batches of 64. */
    public static UdpBindOptions defaults() {
        return new UdpBindOptions(null, DEFAULT_SOCKET_BUFFER_SIZE, DEFAULT_BATCH_SIZE);
    }

    public UdpBindOptions withForeignHandler(ForeignPacketHandler handler) {
        return new UdpBindOptions(handler, socketBufferSize, batchSize);
    }

    /** 0 leaves the system's default buffer sizes. */
    public UdpBindOptions withSocketBufferSize(int bytes) {
        return new UdpBindOptions(foreignHandler, bytes, batchSize);
    }

    public UdpBindOptions withBatchSize(int slots) {
        return new UdpBindOptions(foreignHandler, socketBufferSize, slots);
    }
}
