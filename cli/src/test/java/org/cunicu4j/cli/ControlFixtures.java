package org.cunicu4j.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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

/** A fixed daemon status and a fake DaemonApi serving it, for the status/monitor/restart tests. */
final class ControlFixtures {
    private ControlFixtures() {}

    static final Key IFACE_KEY = key(1);
    static final Key ALICE = key(2);
    static final Key BOB = key(3);
    static final Key CAROL = key(4);
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    static Key key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return Key.of(k, Key.Type.PUBLIC);
    }

    /**
     * wg0 with alice (connected, host ↔ srflx, 12 s since the handshake), bob (checking, relay
     * pair over TCP, IPv6 host) and an unnamed carol (failed, with an error); counters: one
     * non-zero, one zero.
     */
    static DaemonStatus status() {
        PeerSessionStatus alice = new PeerSessionStatus("alice", ALICE, ConnectionState.CONNECTED, ProxyMode.BIND,
                "our own device", new SelectedPair(CandidateType.HOST, new InetSocketAddress("10.0.0.1", 51820),
                        CandidateType.SERVER_REFLEXIVE, new InetSocketAddress("198.51.100.7", 40000), "udp"),
                Duration.ofMillis(12).plusNanos(340_000), 1_234_567, 2048, NOW.minusSeconds(12), "198.51.100.7:40000", 2, null);
        PeerSessionStatus bob = new PeerSessionStatus("bob", BOB, ConnectionState.CHECKING, ProxyMode.BIND,
                "our own device", new SelectedPair(CandidateType.RELAY, new InetSocketAddress("203.0.113.5", 49152),
                        CandidateType.PEER_REFLEXIVE, new InetSocketAddress("fd00::2", 51820), "tcp"),
                Duration.ofMillis(85), 5L << 30, 512, NOW.minusSeconds(3 * 60 + 4), null, 0, null);
        PeerSessionStatus carol = new PeerSessionStatus(null, CAROL, ConnectionState.FAILED, null, null, null, null,
                0, 0, null, null, 7, "no candidate pair succeeded");
        InterfaceStatus wg0 = new InterfaceStatus("wg0", "cunicu4j", IFACE_KEY, 51820, ProxyMode.BIND,
                "our own device: ICE on WireGuard's sockets", List.of(alice, bob, carol));
        InterfaceStatus wg1 = new InterfaceStatus("wg1", "userspace (uapi)", key(5), 51821, ProxyMode.USER,
                "external device: a loopback socket per peer", List.of());
        return new DaemonStatus("0.1.0", 4242, NOW.minusSeconds(3600), List.of(wg0, wg1),
                java.util.Map.of("signaling_unknown_sender", 3L, "zero", 0L));
    }

    /** Serves {@link #status()}, records calls, emits events to watchers on the caller's thread. */
    static final class FakeApi implements DaemonApi {
        final Set<Consumer<DaemonEvent>> listeners = ConcurrentHashMap.newKeySet();
        final CountDownLatch watching = new CountDownLatch(1);
        volatile Key restarted;
        /** When set, status() throws it. */
        volatile RuntimeException statusFailure;

        void emit(DaemonEvent e) {
            listeners.forEach(l -> l.accept(e));
        }

        @Override
        public DaemonStatus status() {
            RuntimeException f = statusFailure;
            if (f != null) {
                throw f;
            }
            return ControlFixtures.status();
        }

        @Override
        public AutoCloseable watch(Consumer<DaemonEvent> listener) {
            listeners.add(listener);
            watching.countDown();
            return () -> listeners.remove(listener);
        }

        @Override
        public void sync() {}

        @Override
        public boolean restartPeer(String iface, Key peer) {
            if (iface.equals("wg0") && (peer.equals(ALICE) || peer.equals(BOB) || peer.equals(CAROL))) {
                restarted = peer;
                return true;
            }
            return false;
        }

        @Override
        public void shutdown() {}
    }
}
