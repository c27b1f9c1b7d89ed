package org.cunicu4j.signaling.server;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.signaling.proto.signaling.Envelope;

/**
 * The only state of the server: live subscribers by the key they follow. Thread-safe;
 * publishing reads a copy-on-write list, so a publisher never waits for a subscriber.
 */
final class Topics {

    private final ConcurrentHashMap<ByteString, CopyOnWriteArrayList<Subscriber>> byKey = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

    /** Adds {@code s} unless there are {@code max} subscribers already; whether it was added. */
    boolean tryAdd(Subscriber s, int max) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return false;
        }
        add(s);
        return true;
    }

    /** The live subscribers now. */
    int count() {
        return count.get();
    }

    private void add(Subscriber s) {
        byKey.compute(s.key(), (k, list) -> {
            CopyOnWriteArrayList<Subscriber> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(s);
            return l;
        });
    }

    void remove(Subscriber s) {
        byKey.computeIfPresent(s.key(), (k, list) -> {
            if (list.remove(s)) {
                count.decrementAndGet();
            }
            return list.isEmpty() ? null : list;
        });
    }

    /** Offers {@code envelope} to every subscriber of its recipient; the number reached. */
    int publish(Envelope envelope) {
        List<Subscriber> list = byKey.get(envelope.getRecipient());
        if (list == null) {
            return 0;
        }
        int n = 0;
        for (Subscriber s : list) {
            s.offer(envelope);
            n++;
        }
        return n;
    }

    List<Subscriber> all() {
        return byKey.values().stream().flatMap(List::stream).toList();
    }

    int topicCount() {
        return byKey.size();
    }
}
