package org.cunicu4j.ice.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceListener;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.IceState;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.testlab.Host;

/**
 * One of our agents in a lab host, for the lab tests: made (and gathering) on a thread inside
 * the host's namespace, with a listener that records every state in order and hands each
 * local candidate to whoever {@link #onCandidate listens} (the peer: in-process trickle;
 * signaling is another issue). Data through {@link IceConnection} with {@link #send} and
 * {@link #receive}. Closes the agent and the sockets it was given.
 */
final class LabAgent implements AutoCloseable {
    /** Short ICE timers for tests: a check every 50 ms, consent every 250 ms. */
    static IceConfig.Builder fastConfig() {
        return IceConfig.builder()
                .checkInterval(Duration.ofMillis(50))
                .consentInterval(Duration.ofMillis(250))
                .keepaliveInterval(Duration.ofMillis(250))
                .disconnectedTimeout(Duration.ofSeconds(1))
                .failedTimeout(Duration.ofSeconds(3))
                .maxRto(Duration.ofMillis(400));
    }

    final String name;
    final Host host;
    final IceAgent agent;
    private final List<AutoCloseable> owned;
    final List<IceState> states = new CopyOnWriteArrayList<>();
    final List<Candidate> gathered = new CopyOnWriteArrayList<>();
    final List<IceCandidatePair> selections = new CopyOnWriteArrayList<>();
    private volatile boolean gatheringDone;
    private volatile Consumer<Candidate> candidateSink = c -> { };
    private volatile Runnable doneSink = () -> { };
    private final PacketBatch sendBatch = new PacketBatch(1, 2048);
    private final PacketBatch receiveBatch = new PacketBatch(8, 2048);
    private final BlockingQueue<String> received = new ArrayBlockingQueue<>(1024);
    private volatile Thread reader;

    private LabAgent(String name, Host host, IceAgent agent, List<AutoCloseable> owned) {
        this.name = name;
        this.host = host;
        this.agent = agent;
        this.owned = owned;
        agent.addListener(new IceListener() {
            @Override
            public void stateChanged(IceState from, IceState to) {
                states.add(to);
            }

            @Override
            public void selectedPairChanged(IceCandidatePair pair) {
                if (pair != null) {
                    selections.add(pair);
                }
            }

            @Override
            public void localCandidate(Candidate candidate) {
                gathered.add(candidate);
                try {
                    candidateSink.accept(candidate);
                } catch (IllegalStateException e) {
                    // the peer was closed first: the test is over
                }
            }

            @Override
            public void localCandidatesDone() {
                gatheringDone = true;
                try {
                    doneSink.run();
                } catch (IllegalStateException e) {
                    // the peer was closed first: the test is over
                }
            }
        });
    }

    /** An agent in {@code host} whose gatherers are made there (sockets bound in its namespace). */
    static LabAgent create(String name, Host host, IceConfig config, IceRole role, GathererFactory gatherers)
            throws Exception {
        return NetNs.call(host.netns(), () -> {
            List<AutoCloseable> owned = new ArrayList<>();
            List<Gatherer> g = gatherers.create(owned);
            owned.addAll(g);
            return new LabAgent(name, host, IceAgent.create(config, role, g), owned);
        });
    }

    /** Makes the gatherers of an agent, inside its host's namespace; sockets it opens go to {@code owned}. */
    @FunctionalInterface
    interface GathererFactory {
        List<Gatherer> create(List<AutoCloseable> owned) throws Exception;
    }

    /** Wires in-process trickle both ways and swaps credentials; call before gathering. */
    static void pair(LabAgent a, LabAgent b) {
        a.agent.setRemoteCredentials(b.agent.localCredentials());
        b.agent.setRemoteCredentials(a.agent.localCredentials());
        a.candidateSink = b.agent::addRemoteCandidate;
        b.candidateSink = a.agent::addRemoteCandidate;
        a.doneSink = b.agent::endOfRemoteCandidates;
        b.doneSink = a.agent::endOfRemoteCandidates;
    }

    /**
     * ICE restart of both agents (new credentials, gathering again, inside each namespace),
     * then the new credentials and every candidate each has gathered handed to the other:
     * trickle during the restart may have reached a peer that had not restarted yet.
     */
    static void restartPair(LabAgent a, LabAgent b, Duration timeout) throws Exception {
        int aBefore = a.gathered.size();
        int bBefore = b.gathered.size();
        a.gatheringDone = false;
        b.gatheringDone = false;
        NetNs.call(a.host.netns(), () -> {
            a.agent.restart();
            return null;
        });
        NetNs.call(b.host.netns(), () -> {
            b.agent.restart();
            return null;
        });
        a.agent.setRemoteCredentials(b.agent.localCredentials());
        b.agent.setRemoteCredentials(a.agent.localCredentials());
        org.cunicu4j.testlab.Waiter.until("both agents gathered again after the restart: " + a + "; " + b, timeout,
                () -> a.gatheringDone && b.gatheringDone);
        for (Candidate c : a.gathered.subList(aBefore, a.gathered.size())) {
            b.agent.addRemoteCandidate(c);
        }
        for (Candidate c : b.gathered.subList(bBefore, b.gathered.size())) {
            a.agent.addRemoteCandidate(c);
        }
        a.agent.endOfRemoteCandidates();
        b.agent.endOfRemoteCandidates();
    }

    /** Gathers (inside the namespace: a gatherer may bind then) and starts the checks. */
    void gatherAndStart() throws Exception {
        NetNs.call(host.netns(), () -> {
            agent.gather();
            agent.start();
            return null;
        });
    }

    boolean connected() {
        return agent.state().isConnected();
    }

    boolean gatheringDone() {
        return gatheringDone;
    }

    IceCandidatePair selected() {
        return agent.selectedPair().orElseThrow(() -> new AssertionError(name + " has no selected pair, state "
                + agent.state() + ", states " + states));
    }

    /** Sends one text datagram through the agent's {@link org.cunicu4j.ice.IceConnection}. */
    void send(String text) throws IOException {
        synchronized (sendBatch) {
            ByteBuffer b = sendBatch.buffer(0).clear();
            b.put(text.getBytes(StandardCharsets.UTF_8)).flip();
            InetSocketAddress remote = agent.connection().remoteAddress();
            sendBatch.setAddress(0, remote != null ? remote : new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 9));
            sendBatch.setCount(1);
            agent.connection().send(sendBatch);
        }
    }

    /** The next text datagram the connection delivered, or null after {@code timeout}. */
    String receive(Duration timeout) throws InterruptedException {
        startReader();
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void startReader() {
        if (reader != null) {
            return;
        }
        PacketConn conn = agent.connection();
        reader = Thread.ofPlatform().daemon().name("lab-reader-" + name).start(() -> {
            try {
                while (true) {
                    int n = conn.receive(receiveBatch);
                    for (int i = 0; i < n; i++) {
                        ByteBuffer b = receiveBatch.buffer(i);
                        byte[] bytes = new byte[b.remaining()];
                        b.get(b.position(), bytes);
                        received.offer(new String(bytes, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // closed: the test is over
            }
        });
    }

    @Override
    public void close() {
        try {
            agent.close();
        } catch (RuntimeException e) {
            // the sockets must still go
        }
        for (AutoCloseable c : owned.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        Thread r = reader;
        if (r != null) {
            try {
                r.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + " in " + host.name() + " (" + agent.state() + ", states " + states + ")";
    }

    /** Everything the agent knows, for a failure message: candidates, pairs with their states, counters. */
    String diagnostics() {
        StringBuilder sb = new StringBuilder(toString()).append("\n  gathered:");
        for (Candidate c : gathered) {
            sb.append("\n    ").append(c.toSdp());
        }
        sb.append("\n  pairs:");
        try {
            for (var p : agent.pairStats()) {
                sb.append("\n    ").append(p.local().type().sdpName()).append(' ').append(p.local().address())
                        .append(" -> ").append(p.remote().type().sdpName()).append(' ').append(p.remote().address())
                        .append(' ').append(p.state()).append(p.valid() ? " valid" : "")
                        .append(p.nominated() ? " nominated" : "").append(" ").append(p.traffic());
            }
            sb.append("\n  counters: ").append(agent.counters());
            for (AutoCloseable o : owned) {
                if (o instanceof org.cunicu4j.ice.gather.RelayGatherer r) {
                    for (var alloc : r.allocations()) {
                        sb.append("\n  allocation ").append(alloc.relayedAddress()).append(": ").append(alloc.stats());
                    }
                }
            }
        } catch (RuntimeException e) {
            sb.append(" (").append(e).append(')');
        }
        return sb.toString();
    }
}
