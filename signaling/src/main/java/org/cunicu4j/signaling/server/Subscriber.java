package org.cunicu4j.signaling.server;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.signaling.proto.signaling.Envelope;

/**
 * One live {@code Subscribe} stream: a bounded FIFO of envelopes waiting for the stream to
 * be ready, bounded both in envelopes and in serialized bytes. {@link #offer} never blocks:
 * when either bound would be exceeded the oldest envelopes are dropped and counted. The marker envelope always goes out first.
 *
 * <p>Threading: {@link #offer} may be called from any publisher thread, {@link #drain} also
 * from gRPC's onReady callback; a work-in-progress counter lets exactly one thread at a time
 * write to the stream (gRPC's observers are not thread-safe), the others just leave a note.
 */
final class Subscriber {

    private final ByteString key;
    private final ServerCallStreamObserver<Envelope> stream;
    private final int capacity;
    private final long byteBudget;
    private final ServerCounters counters;
    private final AtomicInteger wip = new AtomicInteger();
    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<Envelope> queue;
    private boolean markerSent;
    private Status terminal;
    private boolean finished;
    private long dropped;
    private long queuedBytes;

    Subscriber(ByteString key, ServerCallStreamObserver<Envelope> stream, int capacity, long byteBudget,
               ServerCounters counters) {
        this.key = key;
        this.stream = stream;
        this.capacity = capacity;
        this.byteBudget = byteBudget;
        this.counters = counters;
        this.queue = new ArrayDeque<>(Math.min(capacity, 64));
    }

    ByteString key() {
        return key;
    }

    /** Queues {@code envelope}, dropping the oldest queued one when full, and tries to send. */
    void offer(Envelope envelope) {
        synchronized (lock) {
            if (finished || terminal != null) {
                return;
            }
            int size = envelope.getSerializedSize();
            while (!queue.isEmpty() && (queue.size() >= capacity || queuedBytes + size > byteBudget)) {
                queuedBytes -= queue.pollFirst().getSerializedSize();
                dropped++;
                counters.dropped.increment();
            }
            queue.addLast(envelope);
            queuedBytes += size;
        }
        drain();
    }

    /** Ends the stream with {@code status} as soon as the writer gets to it; queued envelopes are discarded. */
    void terminate(Status status) {
        synchronized (lock) {
            if (terminal == null) {
                terminal = status;
            }
        }
        drain();
    }

    /** The stream was cancelled by the client: forget the queue, write nothing more. */
    void cancelled() {
        synchronized (lock) {
            finished = true;
            queue.clear();
            queuedBytes = 0;
        }
    }

    /** How many envelopes wait right now. */
    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** How many serialized bytes wait right now. */
    long queuedBytes() {
        synchronized (lock) {
            return queuedBytes;
        }
    }

    /** How many envelopes this subscriber lost to a full queue. */
    long dropped() {
        synchronized (lock) {
            return dropped;
        }
    }

    /** Writes what the stream accepts now; called on offer and from gRPC's onReady handler. */
    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            writeReady();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void writeReady() {
        while (true) {
            Envelope next;
            Status end = null;
            synchronized (lock) {
                if (finished) {
                    return;
                }
                if (terminal != null) {
                    finished = true;
                    queue.clear();
                    queuedBytes = 0;
                    end = terminal;
                    next = null;
                } else if (!stream.isReady() || stream.isCancelled()) {
                    return;
                } else if (!markerSent) {
                    markerSent = true;
                    next = Envelope.getDefaultInstance();
                } else {
                    next = queue.pollFirst();
                    if (next == null) {
                        return;
                    }
                    queuedBytes -= next.getSerializedSize();
                }
            }
            try {
                if (end != null) {
                    if (end.isOk()) {
                        stream.onCompleted();
                    } else {
                        stream.onError(end.asRuntimeException());
                    }
                    return;
                }
                stream.onNext(next);
                if (next != Envelope.getDefaultInstance()) {
                    counters.delivered.increment();
                }
            } catch (RuntimeException e) {
                // the call went away under us (cancelled, transport closed): stop writing
                cancelled();
                return;
            }
        }
    }
}
