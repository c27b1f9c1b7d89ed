package org.cunicu4j.wireguard.conn;

import java.io.IOException;
import java.util.List;
import org.cunicu4j.net.PacketBatch;

/**
 * A WireGuard device's network I/O, pluggable: the role of wireguard-go's
 * {@code conn.Bind}. The device never touches a socket; it opens its Bind on the listen
 * port, runs one thread per returned {@link ReceiveFunc}, and sends through
 * {@link #send}.
 *
 * <p>The default implementation is UDP over IPv4 and IPv6 with batched I/O
 * ({@code UdpBind}). A Bind may share its sockets with others (an ICE agent): it hands
 * datagrams that are not WireGuard to whoever owns them instead of returning them from a
 * ReceiveFunc, and lets them send on the same sockets.
 *
 * <p>Threading: {@link #open} and {@link #close} are called by the device's control
 * path, one at a time; receive functions and {@link #send} are called concurrently from
 * the device's data threads.
 */
public interface Bind extends AutoCloseable {

    /**
     * Fills slots {@code 0..n-1} of {@code batch} with received WireGuard datagrams (each
     * buffer from position 0 to the datagram's length, the source in the slot's address)
     * and returns n ≥ 1; blocks until one arrives.
     *
     * @throws java.nio.channels.ClosedChannelException once the Bind is closed
     */
    @FunctionalInterface
    interface ReceiveFunc {
        int receive(PacketBatch batch) throws IOException;
    }

    /** What {@link #open} returns: the receive functions and the port actually bound. */
    record Opened(List<ReceiveFunc> receivers, int port) {
        public Opened {
            receivers = List.copyOf(receivers);
        }
    }

    /**
     * Opens the sockets on {@code port} (0: let the system choose; the same port on every
     * address family). A Bind that is open is re-opened: its old sockets are closed (their
     * receive functions then throw {@link java.nio.channels.ClosedChannelException}) and new
     * ones bound, while {@link #send} from data threads goes on without throwing (datagrams
     * sent in between are counted as refused and skipped). If binding fails the Bind is left
     * closed.
     *
     * @throws IOException naming the port and the cause when it cannot be bound
     */
    Opened open(int port) throws IOException;

    /**
     * Sends slots {@code 0..batch.count()-1} (each buffer from position to limit) to
     * {@code endpoint}; the slots' own addresses are ignored (an implementation may
     * overwrite them with the endpoint's). A datagram the network refuses is skipped and
     * counted, not thrown; so is one sent while {@link #open} re-opens the Bind (there is no
     * socket to send it on for that moment). Allocation-free when each sending thread uses
     * at most two batches in turn (UdpBind keeps native twins of a thread's last two).
     *
     * @throws java.nio.channels.ClosedChannelException only before the first {@link #open},
     *     after {@link #close} or after an {@link #open} that failed
     */
    void send(PacketBatch batch, Endpoint endpoint) throws IOException;

    /**
     * Parses an endpoint of this Bind from its text ({@code a.b.c.d:port} or
     * {@code [v6]:port} for UDP: IP literals only, as in the UAPI; resolving a host name is
     * the caller's business, as the {@code wg} tool does it).
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    Endpoint parseEndpoint(String text);

    /**
     * The endpoint a received datagram came from (allocates: called when a peer roams, not
     * per packet), or null when this Bind cannot send to that source: for UDP, an IPv6
     * link-local address (fe80::/10), which means nothing without its interface and
     * endpoints carry none. The device must not roam a peer to a null endpoint: it keeps
     * the peer's current endpoint (the datagram itself is still processed).
     */
    Endpoint endpointOf(PacketBatch batch, int slot);

    /** Sets SO_MARK on the sockets (0 clears it); remembered across {@link #open}. */
    void setMark(int mark) throws IOException;

    /** The batch size receive functions and {@link #send} work best with. */
    int batchSize();

    /** Closes the sockets; wakes blocked receive functions. Idempotent. */
    @Override
    void close();
}
