package org.cunicu4j.net.udp;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.linux.socket.MessageBatch;
import org.cunicu4j.linux.socket.UdpSocket;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * A {@link PacketConn} over a {@link UdpSocket}: one {@code recvmmsg} fills up to a
 * whole {@link PacketBatch}, one {@code sendmmsg} sends one, the kernel reading and
 * writing the batch's direct buffers in place (no copy, no allocation per call once a
 * batch has been seen).
 *
 * <p>Datagrams larger than a slot's buffer are dropped and counted
 * ({@link #truncatedDrops()}); datagrams the kernel refuses one by one on send
 * (unreachable, too large, bad address) are skipped and counted ({@link #sendErrors()}),
 * never thrown. An IPv6 wildcard bind is dual-stack, and IPv4 peers then appear with
 * 4-byte addresses.
 *
 * <p>Threading: one thread receives while any number send; {@link #close()} from any
 * thread wakes a blocked {@link #receive}, which throws
 * {@link java.nio.channels.ClosedChannelException}.
 */
public final class UdpPacketConn implements PacketConn {
    /** The batch size {@link #preferredBatchSize()} reports. */
    public static final int BATCH_SIZE = 64;

    private final UdpSocket socket;
    private final InetSocketAddress local;
    private final BatchBinding receiveBinding = new BatchBinding();
    private final ThreadLocal<BatchBinding> sendBindings = ThreadLocal.withInitial(BatchBinding::new);
    private final AtomicLong truncatedDrops = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();

    private UdpPacketConn(UdpSocket socket) {
        this.socket = socket;
        this.local = socket.localAddress();
    }

    /** Opens a UDP socket bound to {@code bind} (port 0: any free port). */
    public static UdpPacketConn open(InetSocketAddress bind) throws IOException {
        return new UdpPacketConn(UdpSocket.open(bind));
    }

    /** Wraps a socket the caller configured and bound; this connection then owns it. */
    public static UdpPacketConn of(UdpSocket socket) {
        if (socket.localAddress() == null) {
            throw new IllegalArgumentException("the socket must be bound: " + socket);
        }
        return new UdpPacketConn(socket);
    }

    /** The underlying socket, for options (buffer sizes, mark). */
    public UdpSocket socket() {
        return socket;
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        BatchBinding binding = receiveBinding;
        MessageBatch messages = binding.bind(batch);
        int slots = binding.slots();
        while (true) {
            int n = socket.receive(messages, slots);
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (messages.truncated(i)) {
                    truncatedDrops.incrementAndGet();
                    continue;
                }
                int len = messages.length(i);
                ByteBuffer dst = batch.buffer(kept);
                if (kept != i) {
                    dst.put(0, batch.buffer(i), 0, len);
                }
                dst.limit(len).position(0);
                int alen = messages.sourceAddress(i, binding.address, 0);
                batch.setAddress(kept, binding.address, 0, alen, messages.sourcePort(i));
                kept++;
            }
            if (kept > 0) {
                batch.setCount(kept);
                return kept;
            }
        }
    }

    /**
     * Sends slots {@code 0..batch.count()-1}, each buffer from its position to its limit;
     * positions are left unchanged.
     *
     * @return {@code batch.count()}: every datagram was either handed to the kernel or,
     *     when the kernel refused it alone, counted in {@link #sendErrors()}
     */
    @Override
    public int send(PacketBatch batch) throws IOException {
        if (socket.isClosed()) {
            throw new ClosedChannelException();
        }
        BatchBinding binding = sendBindings.get();
        MessageBatch messages = binding.bind(batch);
        int count = batch.count();
        int slots = binding.slots();
        int family = socket.family();
        int done = 0;
        while (done < count) {
            int chunk = Math.min(count - done, slots);
            for (int i = 0; i < chunk; i++) {
                int slot = done + i;
                ByteBuffer buf = batch.buffer(slot);
                messages.setBuffer(i, binding.base(slot) + buf.position(), buf.remaining());
                int alen = batch.addressLength(slot);
                if (alen == 4 || (alen == 16 && family == AF_INET6)) {
                    messages.setDestination(i, family, batch.addressBytes(slot), 0, alen, batch.port(slot));
                } else {
                    messages.clearDestination(i);
                }
            }
            int sent = 0;
            while (sent < chunk) {
                int n = socket.send(messages, sent, chunk - sent);
                if (n > 0) {
                    sent += n;
                } else {
                    sendErrors.incrementAndGet();
                    sent++;
                }
            }
            done += chunk;
        }
        return count;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public int preferredBatchSize() {
        return BATCH_SIZE;
    }

    /** Datagrams dropped on receive because they were larger than the slot's buffer. */
    public long truncatedDrops() {
        return truncatedDrops.get();
    }

    /** Datagrams the kernel refused on send (and that were skipped). */
    public long sendErrors() {
        return sendErrors.get();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "UdpPacketConn[" + local + "]";
    }
}
