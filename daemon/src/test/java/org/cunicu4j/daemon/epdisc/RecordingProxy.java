package org.cunicu4j.daemon.epdisc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.wireguard.Key;

/** A {@link PeerProxy} that records the pairs it is given and whether it was closed. */
final class RecordingProxy implements PeerProxy {
    final Key peer;
    final IceAgent agent;
    final List<IceCandidatePair> pairs = new CopyOnWriteArrayList<>();
    final AtomicBoolean closed = new AtomicBoolean();

    private final boolean fail;

    RecordingProxy(Key peer, IceAgent agent, boolean fail) {
        this.peer = peer;
        this.agent = agent;
        this.fail = fail;
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.USER;
    }

    @Override
    public String reason() {
        return "test";
    }

    @Override
    public void selectedPairChanged(IceCandidatePair pair) throws java.io.IOException {
        pairs.add(pair == null ? NONE : pair);
        if (fail) {
            throw new java.io.IOException("test: cannot set the endpoint of peer " + peer);
        }
    }

    /** The last pair given, or null. */
    IceCandidatePair last() {
        if (pairs.isEmpty()) {
            return null;
        }
        IceCandidatePair p = pairs.get(pairs.size() - 1);
        return p == NONE ? null : p;
    }

    @Override
    public ProxyStats stats() {
        return ProxyStats.ZERO;
    }

    @Override
    public void close() {
        closed.set(true);
    }

    /** Stands for a null pair in the list. */
    static final IceCandidatePair NONE = new IceCandidatePair(
            org.cunicu4j.ice.Candidate.parse("candidate:0 1 udp 1 192.0.2.1 9 typ host"),
            org.cunicu4j.ice.Candidate.parse("candidate:0 1 udp 1 192.0.2.2 9 typ host"));
}
