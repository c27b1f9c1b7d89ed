package org.cunicu4j.wireguard.conn.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lossless in-memory datagram network of {@link MemoryBind}s, each reachable at its
 * {@code mem:<id>} address, for device tests without sockets. An {@link Impairment} hook
 * sees every datagram on its way and may drop it, duplicate it or hold it back until
 * {@link #releaseHeld()} (reordering); {@link MemoryBind#roam()} moves a Bind to a new
 * address (a peer that roams).
 *
 * <p>Thread-safe: any number of Binds send and receive at once; the hook runs on the
 * sender's thread.
 */
public final class MemoryNetwork {

    /** What happens to one datagram. */
    public enum Verdict {
        DELIVER,
        DROP,
        /** Delivered twice, back to back. */
        DUPLICATE,
        /** Kept aside until {@link #releaseHeld()}: what follows overtakes it. */
        HOLD
    }

    /** Decides the fate of each datagram; {@code datagram} is a read-only view, valid for the call. */
    @FunctionalInterface
    public interface Impairment {
        Verdict decide(MemoryEndpoint from, MemoryEndpoint to, ByteBuffer datagram);
    }

    private record Held(MemoryEndpoint from, MemoryEndpoint to, byte[] data) {}

    private final ConcurrentHashMap<Integer, MemoryBind> routes = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final List<Held> held = new ArrayList<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Impairment impairment = (from, to, datagram) -> Verdict.DELIVER;

    /** A new Bind on this network with the next free address (closed until opened). */
    public MemoryBind newBind() {
        MemoryBind bind = new MemoryBind(this, new MemoryEndpoint(nextId.getAndIncrement()));
        routes.put(bind.endpoint().id(), bind);
        return bind;
    }

    /** Two Binds on a network of their own: {@code mem:1} and {@code mem:2}. */
    public static MemoryBind[] pair() {
        MemoryNetwork net = new MemoryNetwork();
        return new MemoryBind[] {net.newBind(), net.newBind()};
    }

    /** Replaces the hook; {@code null} restores lossless delivery. */
    public void setImpairment(Impairment impairment) {
        this.impairment = impairment == null ? (from, to, datagram) -> Verdict.DELIVER : impairment;
    }

    /** Delivers every held datagram, oldest first; returns how many. */
    public int releaseHeld() {
        List<Held> out;
        synchronized (held) {
            out = List.copyOf(held);
            held.clear();
        }
        for (Held h : out) {
            deliver(h.from, h.to, h.data);
        }
        return out.size();
    }

    /** Datagrams held back now. */
    public int heldCount() {
        synchronized (held) {
            return held.size();
        }
    }

    /** Datagrams put into a Bind's receive queue. */
    public long delivered() {
        return delivered.get();
    }

    /** Datagrams lost: dropped by the hook, sent to no one, or to a full or closed Bind. */
    public long dropped() {
        return dropped.get();
    }

    /** Called by a Bind's send for each datagram (its bytes from position to limit). */
    void route(MemoryEndpoint from, MemoryEndpoint to, ByteBuffer datagram) {
        Verdict v = Objects.requireNonNull(impairment.decide(from, to, datagram.asReadOnlyBuffer()), "verdict");
        if (v == Verdict.DROP) {
            dropped.incrementAndGet();
            return;
        }
        byte[] data = new byte[datagram.remaining()];
        datagram.get(datagram.position(), data);
        switch (v) {
            case HOLD -> {
                synchronized (held) {
                    held.add(new Held(from, to, data));
                }
            }
            case DUPLICATE -> {
                deliver(from, to, data);
                deliver(from, to, data);
            }
            default -> deliver(from, to, data);
        }
    }

    void deliver(MemoryEndpoint from, MemoryEndpoint to, byte[] data) {
        MemoryBind target = routes.get(to.id());
        if (target != null && target.enqueue(from, data)) {
            delivered.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    /** Gives {@code bind} a new address; the old one then leads nowhere. */
    MemoryEndpoint roam(MemoryBind bind, MemoryEndpoint old) {
        MemoryEndpoint next = new MemoryEndpoint(nextId.getAndIncrement());
        routes.put(next.id(), bind);
        routes.remove(old.id(), bind);
        return next;
    }
}
