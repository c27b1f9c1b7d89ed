package org.cunicu4j.proxy;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The peers' proxies a {@link PortSharing} has attached and whether it is closed: the
 * bookkeeping {@code BindProxy} and {@code UserspaceProxy} share. A proxy is added once
 * built ({@link #add}), removed by its own close ({@link #remove}, the proxy's on-close
 * callback), and closed with the rest by {@link #close()}.
 *
 * <p>Owned by one port sharing. Thread-safe: {@link #add} and the closed flag of
 * {@link #close()} are serialised on this object, so a proxy attached while closing is
 * closed, never left open; an owner may hold this object's monitor to make a change of its
 * own atomic with {@code add} (as {@code UserspaceProxy} does for its listen port).
 *
 * @param <P> the mode's peer proxy
 */
public final class PeerProxies<P extends PeerProxy> {
    private final String owner;
    private final Set<P> proxies = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param owner how errors name the port sharing, e.g. {@code "BindProxy of wg0"} */
    public PeerProxies(String owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** True once {@link #close()} was called. */
    public boolean closed() {
        return closed;
    }

    /** @throws IllegalStateException naming the owner when closed */
    public void requireOpen() {
        if (closed) {
            throw new IllegalStateException(owner + " is closed");
        }
    }

    /**
     * Adds {@code proxy} (of {@code peer}, for the message) and runs {@code whileAdding} on it
     * under this object's monitor; when closed meanwhile, closes {@code proxy} instead.
     *
     * @return {@code proxy}
     * @throws IllegalStateException when closed (then {@code proxy} is closed)
     */
    public P add(P proxy, Object peer, Consumer<? super P> whileAdding) {
        synchronized (this) { // against close(): either it sees proxy or this sees it closed
            if (!closed) {
                proxies.add(proxy);
                whileAdding.accept(proxy);
                return proxy;
            }
        }
        proxy.close();
        throw new IllegalStateException(owner + " was closed while peer " + peer + " was attached");
    }

    /** Forgets {@code proxy} (it closed itself); any thread. */
    public void remove(P proxy) {
        proxies.remove(proxy);
    }

    /** Runs {@code action} on every proxy attached, under this object's monitor. */
    public synchronized void forEach(Consumer<? super P> action) {
        for (P p : proxies) {
            action.accept(p);
        }
    }

    /** How many proxies are attached and open. */
    public int size() {
        return proxies.size();
    }

    /**
     * Marks this closed and closes every proxy still attached (outside the monitor: a proxy's
     * close calls {@link #remove}).
     *
     * @return false when it was closed already (nothing done)
     */
    public boolean close() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        for (P p : List.copyOf(proxies)) {
            p.close();
        }
        return true;
    }

    @Override
    public String toString() {
        return owner + ": " + proxies.size() + " peers" + (closed ? ", closed" : "");
    }
}
