package org.cunicu4j.daemon.epdisc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceCredentials;
import org.cunicu4j.ice.IceListener;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.wireguard.Key;

/**
 * A peer with a real ICE agent that follows cunīcu's credential rules (as its
 * {@code onRemoteCredentials} reads, Go, 2025), for replaying orderings:
 * <ul>
 *   <li>Credentials that differ from the remote ones its agent holds: restart (a new agent
 *       with new credentials, holding no remote ones) and ask with {@code need_creds=true};
 *       the changed credentials themselves are not taken.</li>
 *   <li>Credentials while idle (no remote ones held): taken, {@code need_creds=true}
 *       answered, the agent gathers (each candidate published) and checks.</li>
 *   <li>The same credentials again while not idle: ignored (even {@code need_creds=true}).</li>
 * </ul>
 * Messages are handled one at a time on a thread of its own; while {@link #pause paused} they
 * are held, and {@link #resume} handles them in order. The periodic resend while idle is left
 * to the test ({@link #sendCredentials}).
 */
final class CunicuStylePeer implements AutoCloseable {
    final Key privateKey = Key.generatePrivate();
    final Key publicKey = privateKey.publicKey();
    final List<Message> received = new CopyOnWriteArrayList<>();
    private final SignalingBackend backend;
    private final KeyPair toTarget;
    private final IceConfig config;
    private final LoopbackSharing sharing = new LoopbackSharing();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final Subscription subscription;
    private final Key target;

    // on the executor
    private final List<Message> held = new ArrayList<>();
    private boolean paused;
    private IceCredentials remote;
    private volatile IceAgent agent;
    private volatile int restarts;

    CunicuStylePeer(SignalingBackend backend, Key target, IceConfig config) {
        this.backend = backend;
        this.target = target;
        this.config = config;
        this.toTarget = KeyPair.of(privateKey, target);
        this.subscription = backend.subscribe(toTarget, o -> {
            received.add(o.message());
            executor.execute(() -> onMessage(o.message()));
        });
    }

    /** Makes the first agent and asks for credentials. */
    void start() {
        run(() -> {
            newAgent();
            sendCredentials(true);
        });
    }

    /** Holds incoming messages from now on. */
    void pause() {
        run(() -> paused = true);
    }

    /** The messages held so far. */
    List<Message> held() {
        return call(() -> List.copyOf(held));
    }

    /**
     * Handles the held messages in order; then, if {@code redeliver} is not null, that one
     * again (a duplicate the backend delivers late), before anything that arrives meanwhile.
     */
    void resume(Message redeliver) {
        run(() -> {
            paused = false;
            List<Message> todo = List.copyOf(held);
            held.clear();
            todo.forEach(this::handle);
            if (redeliver != null) {
                handle(redeliver);
            }
        });
    }

    /** Publishes the current credentials. */
    void sendCredentials(boolean need) {
        IceCredentials c = agent.localCredentials();
        backend.publish(Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag(c.ufrag())
                .setPwd(c.password()).setNeedCreds(need)).build(), toTarget).join();
    }

    IceCredentials credentials() {
        return agent.localCredentials();
    }

    IceCredentials remote() {
        return call(() -> remote);
    }

    IceAgent agent() {
        return agent;
    }

    int restarts() {
        return restarts;
    }

    boolean connected() {
        IceAgent a = agent;
        return a != null && a.state().isConnected();
    }

    private void onMessage(Message m) {
        if (paused) {
            held.add(m);
        } else {
            handle(m);
        }
    }

    private void handle(Message m) {
        if (m.hasCredentials()) {
            Credentials cr = m.getCredentials();
            onCredentials(new IceCredentials(cr.getUfrag(), cr.getPwd()), cr.getNeedCreds());
        }
        if (m.hasCandidate()) {
            CandidateCodec.Decoded d = CandidateCodec.decode(m.getCandidate());
            if (d.ok()) {
                agent.addRemoteCandidate(d.candidate());
            }
        }
    }

    private void onCredentials(IceCredentials c, boolean need) {
        if (remote != null && !remote.equals(c)) {
            agent.close();
            restarts++;
            newAgent();
            sendCredentials(true);
            return;
        }
        if (remote != null) {
            return; // duplicated credentials
        }
        remote = c;
        if (need) {
            sendCredentials(false);
        }
        agent.setRemoteCredentials(c);
        agent.gather();
        agent.start();
    }

    private void newAgent() {
        try {
            IceAgent a = IceAgent.create(config, Roles.roleOf(publicKey, target),
                    sharing.gatherers(GatherSettings.hostOnly()));
            a.addListener(new IceListener() {
                @Override
                public void localCandidate(Candidate c) {
                    backend.publish(Message.newBuilder().setCandidate(CandidateCodec.encode(c)).build(), toTarget);
                }
            });
            agent = a;
            remote = null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(Runnable r) {
        call(() -> {
            r.run();
            return null;
        });
    }

    private <T> T call(java.util.concurrent.Callable<T> c) {
        try {
            return executor.submit(c).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("scripted cunīcu peer: " + e, e);
        }
    }

    @Override
    public void close() {
        subscription.close();
        executor.shutdownNow();
        IceAgent a = agent;
        if (a != null) {
            a.close();
        }
    }
}
