package org.cunicu4j.daemon.api;

import java.util.function.Consumer;
import org.cunicu4j.wireguard.Key;

/**
 * The daemon as the control socket sees it. Implemented by the daemon; served over the
 * UNIX control socket; thread-safe.
 */
public interface DaemonApi {

    /** A snapshot of every interface and peer session. */
    DaemonStatus status();

    /**
     * Calls {@code listener} with every event from now on until the returned handle is
     * closed. Called on a daemon thread, one event at a time; a slow listener may miss
     * events (they are dropped for it and it is told so by an event of type
     * {@link DaemonEvent.Type#EVENTS_DROPPED}), never stalls the daemon.
     */
    AutoCloseable watch(Consumer<DaemonEvent> listener);

    /** Re-reads interfaces and peers now instead of at the next poll. */
    void sync();

    /**
     * Restarts the ICE session of {@code peer} on interface {@code iface}.
     *
     * @return false when there is no such interface or peer session
     */
    boolean restartPeer(String iface, Key peer);

    /** Starts an orderly shutdown (returns at once; the daemon process exits when done). */
    void shutdown();
}
