package org.cunicu4j.proxy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceListener;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.IceState;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;

/**
 * Two ICE agents made from two {@link PortSharing}s' gatherers and attached to them, with
 * credentials and candidates handed across directly (no signaling): what a daemon's peer
 * sessions do, minus the signaling. Each side's agent is made and gathers through its
 * {@link Runner} (inside a namespace for the lab tests). Every selected pair goes to the
 * side's {@link PeerProxy}; an exception from it is kept in {@link #errors}.
 */
public final class IceLink implements AutoCloseable {
    /** Runs a step of one side (in its network namespace, say). */
    @FunctionalInterface
    public interface Runner {
        void run(Step step) throws Exception;
    }

    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Runs steps on the calling thread. */
    public static final Runner HERE = Step::run;

    /** Short ICE timers for tests. */
    public static IceConfig.Builder fastConfig(GatherSettings settings) {
        return IceConfig.builder()
                .candidateTypes(settings.candidateTypes())
                .checkInterval(Duration.ofMillis(50))
                .consentInterval(Duration.ofMillis(250))
                .keepaliveInterval(Duration.ofMillis(250))
                .disconnectedTimeout(Duration.ofSeconds(3))
                .failedTimeout(Duration.ofSeconds(10))
                .maxRto(Duration.ofMillis(400));
    }

    public final IceAgent a;
    public final IceAgent b;
    public final PeerProxy proxyA;
    public final PeerProxy proxyB;
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();

    private IceLink(IceAgent a, IceAgent b, PeerProxy proxyA, PeerProxy proxyB) {
        this.a = a;
        this.b = b;
        this.proxyA = proxyA;
        this.proxyB = proxyB;
    }

    /**
     * Makes, attaches, links and starts both agents ({@code a} controlling).
     *
     * @param peerOfA the WireGuard peer (B's public key) on A's device
     */
    public static IceLink start(IceConfig config, GatherSettings settings,
            PortSharing sharingA, Key peerOfA, Runner runA,
            PortSharing sharingB, Key peerOfB, Runner runB) throws Exception {
        return start(config, settings, sharingA, peerOfA, runA, config, settings, sharingB, peerOfB, runB);
    }

    /** As {@link #start(IceConfig, GatherSettings, PortSharing, Key, Runner, PortSharing, Key, Runner)}, each side with its own config and settings. */
    public static IceLink start(IceConfig configA, GatherSettings settingsA,
            PortSharing sharingA, Key peerOfA, Runner runA,
            IceConfig configB, GatherSettings settingsB,
            PortSharing sharingB, Key peerOfB, Runner runB) throws Exception {
        IceAgent[] agents = new IceAgent[2];
        PeerProxy[] proxies = new PeerProxy[2];
        runA.run(() -> {
            agents[0] = IceAgent.create(configA, IceRole.CONTROLLING, sharingA.gatherers(settingsA));
            proxies[0] = sharingA.attach(peerOfA, agents[0]);
        });
        runB.run(() -> {
            agents[1] = IceAgent.create(configB, IceRole.CONTROLLED, sharingB.gatherers(settingsB));
            proxies[1] = sharingB.attach(peerOfB, agents[1]);
        });
        IceLink link = new IceLink(agents[0], agents[1], proxies[0], proxies[1]);
        link.wire(link.a, link.b, link.proxyA);
        link.wire(link.b, link.a, link.proxyB);
        link.a.setRemoteCredentials(link.b.localCredentials());
        link.b.setRemoteCredentials(link.a.localCredentials());
        runA.run(() -> {
            link.a.gather();
            link.a.start();
        });
        runB.run(() -> {
            link.b.gather();
            link.b.start();
        });
        return link;
    }

    private void wire(IceAgent self, IceAgent other, PeerProxy proxy) {
        self.addListener(new IceListener() {
            @Override
            public void localCandidate(Candidate candidate) {
                other.addRemoteCandidate(candidate);
            }

            @Override
            public void localCandidatesDone() {
                other.endOfRemoteCandidates();
            }

            @Override
            public void selectedPairChanged(IceCandidatePair pair) {
                try {
                    proxy.selectedPairChanged(pair);
                } catch (IOException | RuntimeException e) {
                    errors.add(e);
                }
            }
        });
    }

    /** Waits until both agents are CONNECTED (or COMPLETED) with a selected pair. */
    public void awaitConnected(Duration timeout) {
        try {
            Waiter.until("both agents CONNECTED or COMPLETED", timeout,
                    () -> up(a) && up(b) && a.selectedPair().isPresent() && b.selectedPair().isPresent());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + describe(), e);
        }
    }

    /** CONNECTED or COMPLETED. */
    public static boolean up(IceAgent agent) {
        IceState s = agent.state();
        return s == IceState.CONNECTED || s == IceState.COMPLETED;
    }

    /** States, candidates, pairs and counters of both agents (for failure messages). */
    public String describe() {
        return "a " + a.state() + " local " + a.localCandidates() + "\n  pairs " + a.pairStats() + "\n  " + a.counters()
                + "\nb " + b.state() + " local " + b.localCandidates() + "\n  pairs " + b.pairStats() + "\n  " + b.counters();
    }

    public IceCandidatePair pairA() {
        return a.selectedPair().orElseThrow();
    }

    public IceCandidatePair pairB() {
        return b.selectedPair().orElseThrow();
    }

    @Override
    public void close() {
        proxyA.close();
        proxyB.close();
        a.close();
        b.close();
    }
}
