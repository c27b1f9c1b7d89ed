package org.cunicu4j.stun.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunParseException;

/**
 * STUN transactions over one TCP or TLS connection to a server (RFC 8489 section 6.2.2):
 * no retransmissions (the stream is reliable), one timeout per transaction (39.5 s by
 * default, the UDP transaction time). A platform reader thread cuts the stream with a
 * {@link StreamFramer}; responses complete their transactions, everything else (TURN Data
 * indications, ChannelData, requests) goes to the {@link InboundHandler}.
 *
 * <p>The transport owns the socket and closes it on {@link #close()}. When the server
 * closes the connection or the stream breaks, pending and later transactions fail with an
 * {@link IOException} saying so, and the handler hears of it
 * ({@link InboundHandler#onReaderEnd}). Thread-safe; writes are serialised, and a write
 * blocked longer than the transaction timeout (a server that stopped reading) closes the
 * connection, so no writer waits forever.
 *
 * <p>The data path allocates nothing per message: frames reach the handler as a view of
 * the reader's buffer (valid during the call), and {@link #send} copies into a write
 * buffer reused under the write lock. The transaction engine is {@link StunClient}'s, with
 * one request and one wait per transaction.
 */
public final class StreamStunTransport implements StunTransport {
    /** The default transaction timeout: as long as a UDP transaction with the default policy. */
    public static final Duration DEFAULT_TIMEOUT = RetransmissionPolicy.DEFAULT.totalTimeout();

    private final Socket socket;
    private final String protocol;
    private final InetSocketAddress server;
    private final InetSocketAddress local;
    private final Duration timeout;
    private final RetransmissionPolicy policy;
    private final InboundHandler inbound;
    private final OutputStream out;
    private final ClientTransactions transactions;
    private final ReentrantLock writeLock = new ReentrantLock();
    private byte[] writeBuffer = new byte[2048]; // guarded by writeLock
    private final Thread reader;
    private volatile IOException broken;
    /** When the write in progress began (System.nanoTime), 0 when none is; read by the watchdog. */
    private volatile long writeSinceNanos;
    private final ScheduledFuture<?> watchdog;

    private StreamStunTransport(Socket socket, String protocol, Duration timeout, InboundHandler inbound,
            ScheduledExecutorService timer) throws IOException {
        this.socket = socket;
        this.protocol = protocol;
        this.server = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.local = (InetSocketAddress) socket.getLocalSocketAddress();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.policy = new RetransmissionPolicy(timeout, 1, 1);
        this.inbound = inbound == null ? InboundHandler.DISCARD : inbound;
        this.out = socket.getOutputStream();
        ScheduledExecutorService t = timer == null ? StunClient.sharedTimer() : timer;
        this.transactions = new ClientTransactions((m, to) -> write(m), t, protocol);
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10), timeout.toNanos() / 4);
        this.watchdog = t.scheduleAtFixedRate(this::checkWrite, every, every, TimeUnit.NANOSECONDS);
        InputStream in = socket.getInputStream();
        this.reader = Thread.ofPlatform().daemon().name("stun-" + protocol.toLowerCase() + "-" + server)
                .start(() -> readLoop(in));
    }

    /** Connects over TCP with the default timeout. */
    public static StreamStunTransport connectTcp(InetSocketAddress server, InboundHandler inbound) throws IOException {
        return connectTcp(server, DEFAULT_TIMEOUT, inbound);
    }

    /**
     * Connects over TCP ({@code timeout} bounds the connect and each transaction).
     *
     * @param inbound receives what is not a response (null: dropped)
     */
    public static StreamStunTransport connectTcp(InetSocketAddress server, Duration timeout, InboundHandler inbound)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(server, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return new StreamStunTransport(s, "TCP", timeout, inbound, null);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Connects over TLS: TCP first, then a handshake with {@code factory} (for example
     * {@code SSLContext.getDefault().getSocketFactory()}) by {@link TlsTrust#handshake},
     * sending {@code hostName} as SNI and checking the certificate against it; a null
     * {@code hostName} checks it against the server's IP address (never no check).
     */
    public static StreamStunTransport connectTls(InetSocketAddress server, String hostName, SSLSocketFactory factory,
            Duration timeout, InboundHandler inbound) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(server, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            SSLSocket tls = TlsTrust.handshake(tcp, factory, hostName, timeout);
            return new StreamStunTransport(tls, "TLS", timeout, inbound, null);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    /**
     * Runs over a socket the caller connected (and handshook, for TLS); the transport takes it.
     *
     * @param protocol "TCP" or "TLS", for messages
     */
    public static StreamStunTransport over(Socket connected, String protocol, Duration timeout, InboundHandler inbound)
            throws IOException {
        return over(connected, protocol, timeout, inbound, null);
    }

    /**
     * As {@link #over(Socket, String, Duration, InboundHandler)}, with the transaction
     * timeouts on {@code timer} (borrowed, never shut down; null for the shared one).
     */
    public static StreamStunTransport over(Socket connected, String protocol, Duration timeout, InboundHandler inbound,
            ScheduledExecutorService timer) throws IOException {
        if (!connected.isConnected()) {
            throw new IllegalArgumentException("the socket is not connected: " + connected);
        }
        return new StreamStunTransport(connected, protocol, timeout, inbound, timer);
    }

    @Override
    public CompletableFuture<StunResponse> request(byte[] request, Predicate<StunMessage> accept) {
        return transactions.start(request, server, policy, accept);
    }

    /** Sends a message; ChannelData (first two bits 01) is padded with zeros to a multiple of 4 bytes. */
    @Override
    public void send(ByteBuffer message) throws IOException {
        write(message);
    }

    private void write(ByteBuffer message) throws IOException {
        IOException b = broken;
        if (b != null) {
            throw b;
        }
        int len = message.remaining();
        boolean channelData = len > 0 && (message.get(message.position()) & 0xC0) == 0x40;
        int wire = channelData ? StreamFramer.pad(len) : len;
        writeLock.lock();
        try {
            if (writeBuffer.length < wire) {
                writeBuffer = new byte[Math.max(wire, writeBuffer.length * 2)];
            }
            message.get(message.position(), writeBuffer, 0, len);
            for (int i = len; i < wire; i++) {
                writeBuffer[i] = 0;
            }
            writeSinceNanos = System.nanoTime() | 1; // never 0 while writing
            out.write(writeBuffer, 0, wire);
            out.flush();
        } catch (IOException e) {
            IOException why = broken;
            throw why != null ? why : e;
        } finally {
            writeSinceNanos = 0;
            writeLock.unlock();
        }
    }

    /**
     * The write deadline: a write blocked longer than the transaction timeout (the server
     * stopped reading, the path is dead) breaks the connection, which wakes the writer
     * (who may hold an allocation's send lock) with the reason. Allocation-free.
     */
    private void checkWrite() {
        long since = writeSinceNanos;
        if (since != 0 && broken == null && System.nanoTime() - since > timeout.toNanos()) {
            broken = new IOException(protocol + " connection to " + StunTimeoutException.address(server)
                    + ": a write was blocked for more than " + timeout.toMillis() + " ms; closed it");
            closeSocket();
        }
    }

    private void readLoop(InputStream in) {
        StreamFramer framer = new StreamFramer();
        byte[] chunk = new byte[8192];
        IOException end;
        try {
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    end = new IOException(protocol + " connection to " + StunTimeoutException.address(server)
                            + " closed by the server");
                    break;
                }
                framer.feed(chunk, 0, n);
                ByteBuffer frame;
                while ((frame = framer.nextView()) != null) {
                    deliver(frame);
                }
            }
        } catch (StunParseException e) {
            end = new IOException(protocol + " stream from " + StunTimeoutException.address(server)
                    + " is broken: " + e.getMessage());
        } catch (IOException e) {
            end = broken != null ? broken : new IOException(protocol + " connection to "
                    + StunTimeoutException.address(server) + " failed: " + e.getMessage(), e);
        }
        if (broken == null) {
            broken = end;
        }
        watchdog.cancel(false);
        closeSocket();
        transactions.close(broken);
        try {
            inbound.onReaderEnd(broken);
        } catch (RuntimeException e) {
            transactions.countDropped();
        }
    }

    /** A response to its transaction, anything else to the handler; allocation-free but for responses. */
    void deliver(ByteBuffer frame) {
        try {
            if (!transactions.offer(frame, server)) {
                inbound.onInbound(frame, server);
            }
        } catch (RuntimeException e) {
            transactions.countDropped();
        }
    }

    /** Responses dropped (malformed, wrong method) and handler failures. */
    public long dropped() {
        return transactions.dropped();
    }

    @Override
    public InetSocketAddress server() {
        return server;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    /** The transaction timeout. */
    public Duration timeout() {
        return timeout;
    }

    /** True once the stream is closed or broken. */
    public boolean isClosed() {
        return broken != null;
    }

    /** Closes the socket; pending transactions fail. Idempotent. */
    @Override
    public void close() {
        if (broken == null) {
            broken = new SocketException(protocol + " connection to " + StunTimeoutException.address(server)
                    + " closed");
        }
        transactions.close(broken);
        watchdog.cancel(false);
        closeSocket();
        if (Thread.currentThread() != reader) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with the error
        }
    }

    @Override
    public String toString() {
        return protocol + " " + StunTimeoutException.address(local) + " -> " + StunTimeoutException.address(server);
    }
}
