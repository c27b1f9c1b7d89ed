package org.cunicu4j.daemon.pdisc;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.wireguard.Key;

/** A sink that keeps the peers as a WireGuard device would, and logs every call. */
final class RecordingSink implements PeerSink {
    final Map<Key, DiscoveredPeer> peers = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** Calls to fail before succeeding again. */
    final AtomicInteger failNext = new AtomicInteger();
    /** When set, every call waits until it is opened (a stuck WireGuard device). */
    volatile java.util.concurrent.CountDownLatch gate;

    /** How long an interrupted call at the gate takes to give up. */
    volatile long windDownMillis;
    /** Calls that reached the gate. */
    final AtomicInteger atGate = new AtomicInteger();

    private void pass() throws InterruptedException {
        java.util.concurrent.CountDownLatch g = gate;
        if (g != null) {
            atGate.incrementAndGet();
            try {
                g.await();
            } catch (InterruptedException e) {
                // a device call that takes a while to give up (a netlink round trip in flight): simulated work
                Thread.sleep(windDownMillis);
                throw e;
            }
        }
    }

    private void maybeFail(String call) throws Exception {
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            calls.add("failed " + call);
            throw new java.io.IOException("injected failure of " + call);
        }
    }

    @Override
    public void add(DiscoveredPeer peer) throws Exception {
        pass();
        maybeFail("add");
        if (peers.putIfAbsent(peer.publicKey(), peer) != null) {
            throw new IllegalStateException("added twice: " + peer.publicKey());
        }
        calls.add("add " + peer.name());
    }

    @Override
    public void update(DiscoveredPeer peer) throws Exception {
        maybeFail("update");
        if (peers.replace(peer.publicKey(), peer) == null) {
            throw new IllegalStateException("updated an unknown peer: " + peer.publicKey());
        }
        calls.add("update " + peer.name());
    }

    @Override
    public void remove(Key publicKey) throws Exception {
        maybeFail("remove");
        DiscoveredPeer p = peers.remove(publicKey);
        if (p == null) {
            throw new IllegalStateException("removed an unknown peer: " + publicKey);
        }
        calls.add("remove " + p.name());
    }

    @Override
    public void rotate(Key oldKey, DiscoveredPeer peer) throws Exception {
        calls.add("rotate " + peer.name());
        PeerSink.super.rotate(oldKey, peer);
    }

    boolean has(Key key) {
        return peers.containsKey(key);
    }
}
