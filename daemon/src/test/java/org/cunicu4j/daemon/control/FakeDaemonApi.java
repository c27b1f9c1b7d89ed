package org.cunicu4j.daemon.control;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonApi;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.api.SelectedPair;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;

/** A DaemonApi with a fixed status that records calls and emits events on the caller's thread. */
final class FakeDaemonApi implements DaemonApi {
    static final Key IFACE_KEY = Key.of(filled(1), Key.Type.PUBLIC);
    static final Key PEER_A = Key.of(filled(2), Key.Type.PUBLIC);
    static final Key PEER_B = Key.of(filled(3), Key.Type.PUBLIC);

    final Set<Consumer<DaemonEvent>> listeners = ConcurrentHashMap.newKeySet();
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger restarts = new AtomicInteger();
    final CountDownLatch shutdown = new CountDownLatch(1);
    volatile CountDownLatch watching = new CountDownLatch(1);
    volatile CountDownLatch unwatched = new CountDownLatch(1);
    volatile DaemonStatus status = fixedStatus();
    /** When set, sync, restartPeer and shutdown throw it (after counting the call). */
    volatile RuntimeException failure;
    /** When set, status() waits for it (a daemon stuck in a call). */
    volatile CountDownLatch statusGate;
    /** When set, shutdown() runs it (e.g. closes the server from the request's thread). */
    volatile Runnable onShutdown;
    /** When set, watch returns null (a broken daemon). */
    volatile boolean nullWatchHandle;

    static byte[] filled(int b) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) b);
        return k;
    }

    /** Two peers: one connected over a host/srflx pair, one failed with nothing selected. */
    static DaemonStatus fixedStatus() {
        PeerSessionStatus a = new PeerSessionStatus("alice", PEER_A, ConnectionState.CONNECTED, ProxyMode.BIND,
                "our own device", new SelectedPair(CandidateType.HOST, new InetSocketAddress("10.0.0.1", 51820),
                        CandidateType.SERVER_REFLEXIVE, new InetSocketAddress("198.51.100.7", 40000), "udp"),
                Duration.ofMillis(12), 1_234_567, 2048, Instant.parse("2026-11-25T12:00:00Z"), "198.51.100.7:40000", 2, null);
        PeerSessionStatus b = new PeerSessionStatus(null, PEER_B, ConnectionState.FAILED, null, null, null, null,
                0, 0, null, null, 0, "no candidate pair succeeded");
        InterfaceStatus wg0 = new InterfaceStatus("wg0", "cunicu4j", IFACE_KEY, 51820, ProxyMode.BIND,
                "our own device: ICE on WireGuard's sockets", List.of(a, b));
        return new DaemonStatus("0.1.0", 4242, Instant.parse("2026-11-25T11:00:00Z"), List.of(wg0));
    }

    /** Calls every listener with {@code e}, as the daemon's emitter would. */
    void emit(DaemonEvent e) {
        for (Consumer<DaemonEvent> l : listeners) {
            l.accept(e);
        }
    }

    static DaemonEvent event(int i) {
        return new DaemonEvent(Instant.ofEpochSecond(1_000_000 + i), DaemonEvent.Type.PEER_STATE_CHANGED, "wg0", PEER_A,
                "checking", "connected", "e" + i);
    }

    @Override
    public DaemonStatus status() {
        CountDownLatch gate = statusGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return status;
    }

    @Override
    public AutoCloseable watch(Consumer<DaemonEvent> listener) {
        if (nullWatchHandle) {
            return null;
        }
        listeners.add(listener);
        watching.countDown();
        return () -> {
            listeners.remove(listener);
            unwatched.countDown();
        };
    }

    @Override
    public void sync() {
        syncs.incrementAndGet();
        fail();
    }

    @Override
    public boolean restartPeer(String iface, Key peer) {
        restarts.incrementAndGet();
        fail();
        return iface.equals("wg0") && (peer.equals(PEER_A) || peer.equals(PEER_B));
    }

    @Override
    public void shutdown() {
        shutdown.countDown();
        Runnable r = onShutdown;
        if (r != null) {
            r.run();
        }
        fail();
    }

    private void fail() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }
}
