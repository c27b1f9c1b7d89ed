package org.cunicu4j.daemon;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import org.cunicu4j.daemon.autocfg.DerivedAddresses;
import org.cunicu4j.daemon.pdisc.DiscoveredPeer;
import org.cunicu4j.daemon.pdisc.PeerSink;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * The {@link PeerSink} of one interface's peer discovery: adds, updates and removes the
 * WireGuard peers of the community members through the interface's control, on the daemon's
 * thread (peer discovery's worker waits for each change), and remembers the members' names
 * for the status. A member's allowed IPs are what it advertised plus its derived addresses
 * for our {@code prefixes}. The watcher then sees the peers come and go and starts or stops
 * their ICE sessions. Thread-safe: changes run on the daemon thread, names are read anywhere.
 */
final class DiscoveredPeers implements PeerSink {
    private final WireGuardControl control;
    private final List<IpPrefix> prefixes;
    private final Executor daemonThread;
    private final Map<Key, String> names = new ConcurrentHashMap<>();
    /** Changes handed to the daemon thread and not yet done. */
    private final Set<FutureTask<Void>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    /**
     * @param control the interface's control; borrowed
     * @param prefixes our {@code prefixes}: each member's derived addresses join its allowed IPs
     * @param daemonThread runs the device changes
     */
    DiscoveredPeers(WireGuardControl control, List<IpPrefix> prefixes, Executor daemonThread) {
        this.control = Objects.requireNonNull(control, "control");
        this.prefixes = List.copyOf(prefixes);
        this.daemonThread = Objects.requireNonNull(daemonThread, "daemonThread");
    }

    /** The name member {@code key} advertised, or null. */
    String name(Key key) {
        return names.get(key);
    }

    @Override
    public void add(DiscoveredPeer peer) throws Exception {
        apply(peer, false);
    }

    @Override
    public void update(DiscoveredPeer peer) throws Exception {
        apply(peer, true);
    }

    @Override
    public void remove(Key publicKey) throws Exception {
        onDaemonThread(() -> control.apply(DeviceUpdate.peers(
                new PeerUpdate(publicKey, true, false, null, null, null, false, List.of()))));
        names.remove(publicKey);
    }

    private void apply(DiscoveredPeer peer, boolean replace) throws Exception {
        Set<IpPrefix> allowed = new LinkedHashSet<>(peer.allowedIps());
        allowed.addAll(DerivedAddresses.hostPrefixes(peer.publicKey(), prefixes));
        PeerUpdate u = new PeerUpdate(peer.publicKey(), false, false, null, null, null, true, new ArrayList<>(allowed));
        // the name first: the watcher may start the peer's session (and read its name) as soon as the peer exists
        String before = peer.name() == null || peer.name().isEmpty() ? names.remove(peer.publicKey())
                : names.put(peer.publicKey(), peer.name());
        try {
            onDaemonThread(() -> control.apply(DeviceUpdate.peers(u)));
        } catch (Exception e) {
            if (before == null) {
                names.remove(peer.publicKey());
            } else {
                names.put(peer.publicKey(), before);
            }
            throw e;
        }
    }

    /**
     * Refuses further changes and cancels those waiting for the daemon thread, so that peer
     * discovery's worker does not wait for a thread that is itself closing peer discovery
     * (the interface is going away; the device is closed or reconciled after).
     */
    void stop() {
        stopped = true;
        for (FutureTask<Void> t : pending) {
            t.cancel(false);
        }
    }

    /** Runs {@code change} on the daemon thread and waits for it; its failure is thrown here. */
    private void onDaemonThread(Change change) throws Exception {
        FutureTask<Void> task = new FutureTask<>(() -> {
            change.run();
            return null;
        });
        pending.add(task);
        try {
            if (stopped) {
                throw new IllegalStateException("the interface is shutting down");
            }
            daemonThread.execute(task);
            task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        } finally {
            pending.remove(task);
        }
    }

    @FunctionalInterface
    private interface Change {
        void run() throws Exception;
    }
}
