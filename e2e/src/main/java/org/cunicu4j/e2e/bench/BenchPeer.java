package org.cunicu4j.e2e.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceListener;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.IceState;
import org.cunicu4j.linux.NetNs;

/**
 * One ICE agent of {@link IceConnectBench} in a lab host's namespace: made there, gathering
 * there (the gatherers open their sockets on threads started from the gathering thread),
 * candidates trickled in-process to its peer. Records when it first became connected
 * ({@link System#nanoTime()}, from its listener). One run owns it and closes it.
 */
final class BenchPeer implements AutoCloseable {
    private final String netns;
    private final IceAgent agent;
    private final List<Gatherer> gatherers;
    private final CountDownLatch connected = new CountDownLatch(1);
    private volatile long connectedAt;
    private volatile BenchPeer peer;

    private BenchPeer(String netns, IceAgent agent, List<Gatherer> gatherers) {
        this.netns = netns;
        this.agent = agent;
        this.gatherers = gatherers;
        agent.addListener(new IceListener() {
            @Override
            public void stateChanged(IceState from, IceState to) {
                if (to.isConnected() && connectedAt == 0) {
                    connectedAt = System.nanoTime();
                    connected.countDown();
                }
            }

            @Override
            public void localCandidate(Candidate candidate) {
                try {
                    peer.agent.addRemoteCandidate(candidate);
                } catch (IllegalStateException e) {
                    // the peer is closed: the run is over
                }
            }

            @Override
            public void localCandidatesDone() {
                try {
                    peer.agent.endOfRemoteCandidates();
                } catch (IllegalStateException e) {
                    // the peer is closed: the run is over
                }
            }
        });
    }

    /** Makes the gatherers and the agent inside namespace {@code netns}. */
    static BenchPeer create(String netns, IceConfig config, IceRole role, GathererFactory gatherers) throws Exception {
        return NetNs.call(netns, () -> {
            List<Gatherer> g = gatherers.create();
            return new BenchPeer(netns, IceAgent.create(config, role, g), g);
        });
    }

    /** Makes one agent's gatherers (inside its namespace). */
    @FunctionalInterface
    interface GathererFactory {
        List<Gatherer> create() throws Exception;
    }

    /** Credentials both ways and trickle both ways; before either starts. */
    static void pair(BenchPeer a, BenchPeer b) {
        a.peer = b;
        b.peer = a;
        a.agent.setRemoteCredentials(b.agent.localCredentials());
        b.agent.setRemoteCredentials(a.agent.localCredentials());
    }

    /** Gathers and starts checking, inside the namespace. */
    void start() throws Exception {
        NetNs.call(netns, () -> {
            agent.gather();
            agent.start();
            return null;
        });
    }

    boolean awaitConnected(long deadlineNanos) throws InterruptedException {
        return connected.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    long connectedAt() {
        return connectedAt;
    }

    String selectedPairType() {
        return agent.selectedPair().map(IceCandidatePair::typeName).orElse("none");
    }

    IceState state() {
        return agent.state();
    }

    @Override
    public void close() {
        try {
            agent.close();
        } finally {
            for (Gatherer g : gatherers) {
                g.close();
            }
        }
    }
}
