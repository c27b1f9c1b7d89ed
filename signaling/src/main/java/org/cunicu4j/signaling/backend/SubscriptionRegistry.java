package org.cunicu4j.signaling.backend;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult;
import org.cunicu4j.signaling.seal.Rejection;
import org.cunicu4j.signaling.seal.SealStats;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.wireguard.Key;

/**
 * The subscriptions of one backend, grouped in topics (one per recipient public key, as on
 * a cunīcu server), and the dispatch of received envelopes to them: a building block for
 * {@link SignalingBackend} implementations.
 *
 * <p>A backend calls {@link #add} from {@code subscribe}, learns of the first and last
 * subscription of a topic through its {@link TopicListener} (to open or close a server
 * stream), calls {@link #markLive} when the topic's stream is live (the marker envelope),
 * and hands every received envelope to {@link #deliver(ByteString, Envelope)} (it arrived
 * on a topic's stream) or {@link #deliver(Envelope)} (a medium that carries all topics,
 * like multicast). Delivery opens the envelope once, counts rejections in {@link #stats()},
 * and calls the matching handlers on the calling thread; a handler's exception is counted
 * in {@link #handlerFailures()} and logged, never propagated.
 *
 * <p>Thread-safe. Listener callbacks run under the registry's lock: they must return quickly
 * and must not call back into the registry. {@code subscribed()} futures are completed after
 * the lock is released, so their dependents may use the registry.
 */
public final class SubscriptionRegistry {

    /** Learns when a topic gains its first or loses its last subscription. */
    public interface TopicListener {
        /** The first subscription for {@code keys.ourPublic()} was added. */
        void topicAdded(KeyPair keys);

        /** The last subscription for {@code recipient} was closed. */
        void topicRemoved(Key recipient);
    }

    /** A listener that does nothing, for backends without per-topic streams. */
    public static final TopicListener NO_LISTENER = new TopicListener() {
        @Override
        public void topicAdded(KeyPair keys) {
        }

        @Override
        public void topicRemoved(Key recipient) {
        }
    };

    private static final System.Logger LOG = System.getLogger(SubscriptionRegistry.class.getName());

    private final Object lock = new Object();
    private final Map<ByteString, Topic> topics = new ConcurrentHashMap<>();
    private final SealStats stats;
    private final TopicListener listener;
    private final LongAdder notForUs = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();
    private boolean closed; // guarded by lock

    /** A registry counting into {@code stats} and telling {@code listener} about topics. */
    public SubscriptionRegistry(SealStats stats, TopicListener listener) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Adds a subscription. Its {@link Subscription#subscribed()} completes at once if the
     * topic is already live, else at the next {@link #markLive}.
     *
     * @throws IllegalStateException after {@link #closeAll}
     */
    public Subscription add(KeyPair keys, MessageHandler handler) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(handler, "handler");
        Entry entry;
        boolean live;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("backend is closed");
            }
            Topic topic = topics.get(keys.ourPublicBytes());
            boolean first = topic == null;
            if (first) {
                topic = new Topic(keys.ourPublic(), keys);
                topics.put(keys.ourPublicBytes(), topic);
            }
            entry = new Entry(this, topic, keys, handler);
            topic.entries.add(entry);
            live = topic.live;
            if (first) {
                listener.topicAdded(keys);
            }
        }
        if (live) {
            // outside the lock: completing runs the future's dependents on this thread
            entry.subscribed.complete(null);
        }
        return entry;
    }

    private void remove(Entry entry) {
        synchronized (lock) {
            Topic topic = entry.topic;
            if (!topic.entries.remove(entry)) {
                return;
            }
            if (topic.entries.isEmpty() && topics.get(topic.recipientBytes) == topic) {
                topics.remove(topic.recipientBytes);
                listener.topicRemoved(topic.recipient);
            }
        }
    }

    /** The topic of {@code recipient} is live: its subscriptions' {@code subscribed()} complete. */
    public void markLive(Key recipient) {
        List<Entry> waiting;
        synchronized (lock) {
            Topic topic = topics.get(ByteString.copyFrom(recipient.bytes()));
            if (topic == null) {
                return;
            }
            topic.live = true;
            waiting = new ArrayList<>(topic.entries);
        }
        // outside the lock: completing runs the futures' dependents on this thread
        for (Entry e : waiting) {
            e.subscribed.complete(null);
        }
    }

    /** The topic's stream broke: subscriptions added from now on wait for the next {@link #markLive}. */
    public void markDown(Key recipient) {
        synchronized (lock) {
            Topic topic = topics.get(ByteString.copyFrom(recipient.bytes()));
            if (topic != null) {
                topic.live = false;
            }
        }
    }

    /** The keys of one subscription per topic (its private key is the topic's), e.g. to resubscribe. */
    public List<KeyPair> topics() {
        List<KeyPair> list = new ArrayList<>();
        for (Topic t : topics.values()) {
            list.add(t.keys);
        }
        return list;
    }

    /**
     * An envelope from a medium that carries every topic: delivered to the subscriptions of
     * {@code envelope.recipient}; an envelope for a recipient we do not follow is counted in
     * {@link #notForUs()}, not as a rejection.
     *
     * @return the number of handlers called
     */
    public int deliver(Envelope envelope) {
        Topic topic = topics.get(envelope.getRecipient());
        if (topic == null) {
            notForUs.increment();
            return 0;
        }
        return deliverTo(topic, envelope);
    }

    /**
     * An envelope that arrived on the stream of topic {@code recipient}; one for another
     * recipient is rejected as {@link Rejection#KEY_PAIR_MISMATCH}.
     *
     * @return the number of handlers called
     */
    public int deliver(ByteString recipient, Envelope envelope) {
        if (!recipient.equals(envelope.getRecipient())) {
            stats.reject(Rejection.KEY_PAIR_MISMATCH);
            return 0;
        }
        Topic topic = topics.get(recipient);
        return topic == null ? 0 : deliverTo(topic, envelope);
    }

    /**
     * Serialized envelope bytes from a medium that carries every topic (e.g. a datagram);
     * bytes that do not parse are counted as {@link Rejection#MALFORMED_ENVELOPE}.
     *
     * @return the number of handlers called
     */
    public int deliver(byte[] data, int offset, int length) {
        Envelope envelope;
        try {
            envelope = Envelope.parseFrom(ByteString.copyFrom(data, offset, length));
        } catch (InvalidProtocolBufferException e) {
            stats.reject(Rejection.MALFORMED_ENVELOPE);
            return 0;
        }
        return deliver(envelope);
    }

    private int deliverTo(Topic topic, Envelope envelope) {
        ByteString sender = envelope.getSender();
        Entry firstMatch = null;
        for (Entry e : topic.entries) {
            if (e.keys.acceptsSender(sender)) {
                firstMatch = e;
                break;
            }
        }
        if (firstMatch == null) {
            stats.reject(sender.size() == Key.LENGTH ? Rejection.KEY_PAIR_MISMATCH : Rejection.BAD_KEY);
            return 0;
        }
        OpenResult result = Sealer.open(envelope, firstMatch.keys, stats);
        if (!(result instanceof OpenResult.Opened opened)) {
            return 0;
        }
        int calls = 0;
        for (Entry e : topic.entries) {
            if (!e.closed && e.keys.acceptsSender(sender)) {
                calls++;
                try {
                    e.handler.onMessage(opened);
                } catch (RuntimeException ex) {
                    handlerFailures.increment();
                    LOG.log(System.Logger.Level.WARNING, "signaling handler of " + e.keys + " failed", ex);
                }
            }
        }
        return calls;
    }

    /** Closes every subscription; pending {@code subscribed()} futures fail with {@code cause}. */
    public void closeAll(Throwable cause) {
        List<Entry> all = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            for (Topic t : topics.values()) {
                all.addAll(t.entries);
            }
        }
        for (Entry e : all) {
            e.subscribed.completeExceptionally(cause);
            e.close();
        }
    }

    /** Opened and rejected envelopes. */
    public SealStats stats() {
        return stats;
    }

    /** Envelopes for recipients without a subscription here (normal on a shared medium). */
    public long notForUs() {
        return notForUs.sum();
    }

    /** Handler calls that threw. */
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    private static final class Topic {
        final Key recipient;
        final ByteString recipientBytes;
        final KeyPair keys;
        final List<Entry> entries = new CopyOnWriteArrayList<>();
        volatile boolean live;

        Topic(Key recipient, KeyPair keys) {
            this.recipient = recipient;
            this.recipientBytes = keys.ourPublicBytes();
            this.keys = keys;
        }
    }

    private static final class Entry implements Subscription {
        final SubscriptionRegistry registry;
        final Topic topic;
        final KeyPair keys;
        final MessageHandler handler;
        final CompletableFuture<Void> subscribed = new CompletableFuture<>();
        volatile boolean closed;

        Entry(SubscriptionRegistry registry, Topic topic, KeyPair keys, MessageHandler handler) {
            this.registry = registry;
            this.topic = topic;
            this.keys = keys;
            this.handler = handler;
        }

        @Override
        public KeyPair keys() {
            return keys;
        }

        @Override
        public CompletableFuture<Void> subscribed() {
            return subscribed;
        }

        @Override
        public void close() {
            closed = true;
            subscribed.completeExceptionally(new IllegalStateException("subscription closed"));
            registry.remove(this);
        }

        @Override
        public String toString() {
            return "Subscription[" + keys + "]";
        }
    }
}
