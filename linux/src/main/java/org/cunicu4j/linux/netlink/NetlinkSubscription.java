package org.cunicu4j.linux.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;

/**
 * Link and address changes of one network namespace (multicast groups
 * {@code RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR}), delivered as
 * {@link NetlinkEvent}s to a listener on a dedicated platform thread.
 *
 * <p>The socket joins the namespace of the thread calling {@link #start}; events flow from
 * the moment that returns. Malformed messages are counted ({@link #malformedMessages()}) and
 * skipped; when the kernel drops events because the socket buffer overflowed, the loop counts
 * an overrun ({@link #overruns()}), delivers a {@link NetlinkEvent.Overrun} (the listener
 * should re-dump to resynchronise) and goes on. A listener that throws is counted
 * ({@link #listenerFailures()}) and keeps receiving. {@link #close()} wakes and stops the thread.
 */
public final class NetlinkSubscription implements AutoCloseable {
    private static final int GROUPS = Nl.RTMGRP_LINK | Nl.RTMGRP_IPV4_IFADDR | Nl.RTMGRP_IPV6_IFADDR;
    private static final int RECEIVE_BUFFER = 64 * 1024;

    private final NetlinkSocket socket;
    private final Consumer<? super NetlinkEvent> listener;
    private final Thread thread;
    private final EventDecoder decoder = new EventDecoder();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong overruns = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private volatile IOException failure;

    private NetlinkSubscription(NetlinkSocket socket, Consumer<? super NetlinkEvent> listener) {
        this.socket = socket;
        this.listener = listener;
        this.thread = Thread.ofPlatform().name("netlink-events").daemon().unstarted(this::run);
    }

    /**
     * Subscribes in the calling thread's network namespace and starts the event thread.
     *
     * @param listener called on the event thread, one event at a time, in kernel order
     */
    public static NetlinkSubscription start(Consumer<? super NetlinkEvent> listener) throws LinuxException {
        NetlinkSubscription s = new NetlinkSubscription(
                NetlinkSocket.open(Nl.NETLINK_ROUTE, "NETLINK_ROUTE", GROUPS), listener);
        s.thread.start();
        return s;
    }

    private void run() {
        MemorySegment rx = Arena.ofAuto().allocate(RECEIVE_BUFFER, 8);
        while (true) {
            int n;
            try {
                n = socket.receive(rx);
            } catch (ClosedChannelException e) {
                return;
            } catch (LinuxException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    decoder.overrun(overruns.incrementAndGet(), this::deliver);
                    continue;
                }
                failure = e;
                return;
            } catch (IOException e) {
                failure = e;
                return;
            }
            decoder.decode(rx, n, this::deliver);
            malformed.set(decoder.malformed());
        }
    }

    private void deliver(NetlinkEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
        }
    }

    /** Messages that could not be parsed and were skipped. */
    public long malformedMessages() {
        return malformed.get();
    }

    /** Times the kernel reported lost events (ENOBUFS). */
    public long overruns() {
        return overruns.get();
    }

    /** Times the listener threw. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** Why the event thread stopped on its own; null while it runs or after {@link #close()}. */
    public IOException failure() {
        return failure;
    }

    /** Stops the event thread (and waits for it, unless called from the listener) and closes the socket. Idempotent. */
    @Override
    public void close() {
        socket.close();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
