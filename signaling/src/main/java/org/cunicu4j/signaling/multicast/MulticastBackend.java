package org.cunicu4j.signaling.multicast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.cunicu4j.signaling.backend.MessageHandler;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.backend.SubscriptionRegistry;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.SealStats;
import org.cunicu4j.wireguard.Key;

/**
 * A signaling backend without a server: every published envelope (already sealed) goes as one
 * UDP datagram, its serialized protobuf and nothing else (as cunīcu's {@code multicast}
 * backend sends it), to a multicast group; every member of the group hears every envelope and
 * keeps those addressed to the recipients it subscribed to.
 *
 * <p>Open it with {@link #open(MulticastTarget)} or the URL
 * {@code multicast://GROUP:PORT[?interface=NAME][&loopback=false]} (see {@link MulticastTarget}).
 * The socket is made in the network namespace of the thread that opens the backend (run it in
 * {@code NetNs.call} to put it in another) and stays there.
 *
 * <p>Subscriptions are live as soon as they are made ({@link Subscription#subscribed()} is
 * already complete: the group was joined when the backend opened; there is no server marker).
 * One reader thread (virtual) receives datagrams into one buffer, hands them to the
 * {@link SubscriptionRegistry}, which opens each with the subscription's keys and calls the
 * handlers on that thread; a datagram that is not an envelope is counted
 * ({@code MALFORMED_ENVELOPE} in {@link #stats()}) and dropped, an envelope for a recipient we
 * do not follow is counted in {@link #notForUs()}; nothing a datagram holds ends the loop.
 * {@link #publish} sends on the caller's thread (a UDP send; it does not wait for anyone) and
 * fails an envelope larger than one datagram ({@value GroupChannel#MAX_DATAGRAM} bytes) with an
 * {@link IllegalArgumentException}. Datagrams go with the kernel's default multicast TTL (hop
 * limit) of 1, so the group spans one link. Delivery is lossy and unordered, like UDP. cunīcu reads
 * datagrams into 4096 bytes, so larger envelopes do not reach cunīcu nodes.
 *
 * <p>Thread-safe. {@link #close} leaves the group, closes the socket (which wakes the reader)
 * and fails or closes the subscriptions; it is idempotent.
 *
 * <p>Receive errors are counted in {@link #readErrors()}; after consecutive errors the reader
 * backs off (doubling from 1 ms up to {@value #MAX_ERROR_BACKOFF_MS} ms) and warns at most once
 * every {@value #WARN_INTERVAL_S} s, saying how many errors it did not log. Interrupting the
 * reader thread closes the socket (the JDK's channels do so): the backend then closes itself
 * as if {@link #close} had been called, with a warning, rather than ending the reader silently.
 */
public final class MulticastBackend implements SignalingBackend {
    private static final System.Logger LOG = System.getLogger(MulticastBackend.class.getName());
    /** Holds the largest UDP payload (65,527 bytes over IPv6), so nothing is truncated. */
    private static final int RECEIVE_BUFFER = 65_536;
    private static final Duration READER_JOIN = Duration.ofSeconds(2);
    private static final long MAX_ERROR_BACKOFF_MS = 1000;
    private static final long WARN_INTERVAL_S = 10;

    private final MulticastTarget target;
    private final GroupChannel channel;
    private final SubscriptionRegistry registry;
    private final Thread reader;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder datagramsReceived = new LongAdder();
    private final LongAdder envelopesSent = new LongAdder();
    private final LongAdder readErrors = new LongAdder();

    private MulticastBackend(MulticastTarget target, GroupChannel channel) {
        this.target = target;
        this.channel = channel;
        this.registry = new SubscriptionRegistry(new SealStats(), SubscriptionRegistry.NO_LISTENER);
        this.reader = Thread.ofVirtual().name("signaling-multicast-" + target.group().getHostAddress() + ":"
                + target.port()).unstarted(this::readLoop);
    }

    /**
     * Joins {@code target}'s group in the calling thread's network namespace and starts reading.
     *
     * @throws UncheckedIOException when the socket cannot be made or the group not joined (no
     *     such interface, no route to the group, ...), with a message that names the target
     */
    public static MulticastBackend open(MulticastTarget target) {
        Objects.requireNonNull(target, "target");
        GroupChannel channel;
        try {
            channel = GroupChannel.open(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        MulticastBackend backend = new MulticastBackend(target, channel);
        backend.reader.start();
        LOG.log(System.Logger.Level.DEBUG, "joined {0} on {1}", target, channel.networkInterface().getName());
        return backend;
    }

    /** {@link #open(MulticastTarget)} for a {@code multicast:} URL. */
    public static MulticastBackend open(String url) {
        return open(MulticastTarget.parse(url));
    }

    /** Where this backend sends and listens. */
    public MulticastTarget target() {
        return target;
    }

    /** The interface the group was joined on (the named one, or the one the group is routed through). */
    public NetworkInterface networkInterface() {
        return channel.networkInterface();
    }

    /**
     * Sends {@code envelope} to the group as one datagram. The future is already complete when
     * this returns: done once the datagram was sent, failed with an
     * {@link IllegalArgumentException} when the envelope is larger than a datagram or has no
     * 32-byte recipient, with an {@link IOException} when the send failed, and with an
     * {@link IllegalStateException} after {@link #close}.
     */
    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        Objects.requireNonNull(envelope, "envelope");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("multicast backend " + target
                    + " is closed"));
        }
        if (envelope.getRecipient().size() != Key.LENGTH) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("envelope recipient is "
                    + envelope.getRecipient().size() + " bytes, must be a 32-byte public key"));
        }
        int size = envelope.getSerializedSize();
        if (size > GroupChannel.MAX_DATAGRAM) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("envelope of " + size
                    + " bytes does not fit in one multicast datagram (at most " + GroupChannel.MAX_DATAGRAM
                    + " bytes)"));
        }
        try {
            channel.send(ByteBuffer.wrap(envelope.toByteArray()));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new IOException("multicast " + target + ": sending an envelope of "
                    + size + " bytes failed: " + e.getMessage(), e));
        }
        envelopesSent.increment();
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Delivers to {@code handler} the messages the group carries for {@code keys.ourPublic()}
     * from {@code keys.theirs()} (any sender for the wildcard); {@code subscribed()} is complete
     * at once.
     *
     * @throws IllegalStateException after {@link #close}
     */
    @Override
    public Subscription subscribe(KeyPair keys, MessageHandler handler) {
        Subscription subscription = registry.add(keys, handler);
        registry.markLive(keys.ourPublic());
        return subscription;
    }

    @Override
    public SealStats stats() {
        return registry.stats();
    }

    /** Envelopes on the group for recipients without a subscription here (normal on a shared medium). */
    public long notForUs() {
        return registry.notForUs();
    }

    /** Datagrams received from the group, whatever they held (our own included when loopback is on). */
    public long datagramsReceived() {
        return datagramsReceived.sum();
    }

    /** Envelopes sent to the group. */
    public long envelopesSent() {
        return envelopesSent.sum();
    }

    /** Handler calls that threw (logged, counted, and delivery went on). */
    public long handlerFailures() {
        return registry.handlerFailures();
    }

    /** Receive calls that failed with an I/O error other than closing (the loop went on). */
    public long readErrors() {
        return readErrors.sum();
    }

    private void readLoop() {
        // one datagram at a time, both reused: the kernel writes into the direct buffer (a heap
        // buffer would make the JDK copy through a temporary one per receive), the registry reads the array
        ByteBuffer buf = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
        byte[] array = new byte[RECEIVE_BUFFER];
        int consecutiveErrors = 0;
        long lastWarn = 0;
        long unlogged = 0;
        while (!closed.get()) {
            try {
                if (channel.receive(buf) == null) {
                    // closed: by close(), or not (an interrupt of this thread closes the channel)
                    closedUnderReader("the socket was closed (reader interrupted?)");
                    break;
                }
                consecutiveErrors = 0;
            } catch (IOException e) {
                if (!channel.isOpen()) {
                    closedUnderReader(e.toString());
                    break;
                }
                readErrors.increment();
                long now = System.nanoTime();
                if (lastWarn == 0 || now - lastWarn >= TimeUnit.SECONDS.toNanos(WARN_INTERVAL_S)) {
                    LOG.log(System.Logger.Level.WARNING, "multicast {0}: receive failed: {1}{2}", target,
                            e.getMessage(), unlogged == 0 ? "" : " (" + unlogged + " more errors not logged)");
                    lastWarn = now == 0 ? 1 : now;
                    unlogged = 0;
                } else {
                    unlogged++;
                }
                consecutiveErrors++;
                // a persistent error must not spin: 1, 2, 4 ... ms, at most a second
                long backoffMs = Math.min(MAX_ERROR_BACKOFF_MS, 1L << Math.min(consecutiveErrors - 1, 20));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
                continue;
            }
            datagramsReceived.increment();
            int length = buf.flip().remaining();
            buf.get(array, 0, length);
            try {
                registry.deliver(array, 0, length); // counts what does not parse or open
            } catch (RuntimeException e) {
                // the registry counts bad input itself; this is a bug, but it must not end the loop
                LOG.log(System.Logger.Level.ERROR, "multicast " + target + ": delivering a datagram failed", e);
            }
        }
    }

    /** The socket is closed; unless by {@link #close}, say so and close the backend (it cannot receive). */
    private void closedUnderReader(String why) {
        if (!closed.get()) {
            LOG.log(System.Logger.Level.WARNING, "multicast {0}: {1}; closing the backend", target, why);
            close();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "multicast {0}: closing the socket: {1}", target, e.getMessage());
        }
        registry.closeAll(new IllegalStateException("multicast backend " + target + " closed"));
        if (Thread.currentThread() != reader) {
            try {
                if (!reader.join(READER_JOIN)) {
                    LOG.log(System.Logger.Level.WARNING, "multicast {0}: reader did not stop within {1}", target,
                            READER_JOIN);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Interrupts the reader thread (tests: an interrupt must close the backend, not end it silently). */
    void interruptReader() {
        reader.interrupt();
    }

    /** Whether the reader thread has ended (after {@link #close}). */
    boolean readerStopped() {
        return !reader.isAlive();
    }

    @Override
    public String toString() {
        return "MulticastBackend[" + target + " on " + channel.networkInterface().getName() + "]";
    }
}
