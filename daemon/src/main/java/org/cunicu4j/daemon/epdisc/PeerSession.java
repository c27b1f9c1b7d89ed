package org.cunicu4j.daemon.epdisc;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.api.SelectedPair;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidatePairStats;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceCredentials;
import org.cunicu4j.ice.IceListener;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.IceScheduler;
import org.cunicu4j.ice.IceState;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.wireguard.Key;

/**
 * One peer's ICE session.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Role: {@link Roles#roleOf} (the larger public key is CONTROLLED).</li>
 *   <li>Start: the agent is made with the port sharing's gatherers and attached to a
 *       {@link PeerProxy}; state IDLE; {@code Credentials{need_creds=true}} is published at
 *       once and again on the {@link CredentialsBackoff} schedule until the remote's credentials
 *       arrive. The agent gathers and starts checking on the first remote credentials (so
 *       that our candidates trickle to a peer that is listening); local candidates found
 *       while no remote credentials are held (after a restart) wait and go out when they come.</li>
 *   <li>Credentials received:
 *     <ul>
 *       <li>Stale: a ufrag the remote has replaced since (the session remembers the last
 *           {@value #MAX_RETIRED} replaced remote ufrags, across restarts; the one held at our
 *           own restart is retired only when the remote comes back with another): a late or
 *           duplicated copy, dropped and counted ({@code staleCredentials}).</li>
 *       <li>First ones (none held): taken; {@code need_creds=true} is answered with ours
 *           ({@code need_creds=false}).</li>
 *       <li>The same again with {@code need_creds=true}: answered again, and our local
 *           candidates sent again (the first answer or the candidates may have been lost).</li>
 *       <li>Changed, {@code need_creds=false}: the remote's answer to our restart, which found a
 *           stale copy of its credentials here (a late answer from before our restart): adopted
 *           without a restart: {@link IceAgent#resetRemote} (remote candidates and pairs
 *           cleared, so old failed pairs are checked again with the new credentials; ours
 *           kept) and our candidates sent again.</li>
 *       <li>Changed, {@code need_creds=true}: the remote restarted on its own. If our current
 *           local credentials have been CONNECTED since our last restart, we restart too (new
 *           local credentials), take the new remote ones and answer. If not, ours are as fresh
 *           as a restart would make them: kept ({@link IceAgent#resetRemote}), answered, our
 *           candidates sent again — a peer that restarts on any change of ours (cunīcu does,
 *           then asks with {@code need_creds=true}) would otherwise restart again in answer,
 *           and so on for ever.</li>
 *     </ul>
 *     Every restart clears the remote credentials held, so the remote's answer to our restart
 *     is normally "first" credentials.</li>
 *   <li>Each local candidate is published as its own {@code Message{candidate}} (one found
 *       before a restart of the agent whose event arrives after it is dropped: it is no longer
 *       among the agent's candidates). Each remote one is added to the agent, at most
 *       {@value #MAX_REMOTE_CANDIDATES} distinct ones per remote epoch (until a restart or
 *       changed remote credentials); more are dropped and counted
 *       ({@code remoteCandidatesDropped}).</li>
 *   <li>Publishes of a session go out in order, one at a time (the next when the previous
 *       completed), so candidates do not overtake the credentials before them.</li>
 *   <li>Restart rule: at once when the agent reports FAILED (it does after the failed
 *       timeout without consent, and when checks found nothing within it); and, as a
 *       backstop, when the agent has been DISCONNECTED for longer than the failed timeout
 *       (a timer armed on entering DISCONNECTED, disarmed on leaving it). Also on
 *       {@link EndpointDiscovery#restartPeer}. A restart: new local credentials
 *       ({@link IceAgent#restart()}, which gathers again), remote credentials and pending
 *       candidates cleared, the restart counter incremented, PEER_RESTARTED reported, then
 *       (unless the restart answers a remote one) credentials with {@code need_creds=true}
 *       at once and on the backoff schedule: a fresh one if we had the remote's credentials,
 *       else the running one goes on growing. (While the remote is away, the agent, which
 *       checks from the first remote credentials on, fails every failed timeout and so
 *       restarts: the counter grows while a peer is offline, but the requests still back
 *       off to one a minute plus one per restart.)</li>
 *   <li>State ({@link ConnectionState}): CLOSED once closed; FAILED while the agent is;
 *       IDLE without remote credentials; then by the agent: NEW → CONNECTING, CHECKING,
 *       CONNECTED/COMPLETED → CONNECTED, DISCONNECTED. Changes are reported as
 *       PEER_STATE_CHANGED, selected pair changes (forwarded to the proxy) as
 *       SELECTED_PAIR_CHANGED.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * All work happens on one serial executor (a virtual thread) per session: signaling input,
 * agent events (handed over from the agent's listener thread) and timers are queued there.
 * {@link #status()} reads volatile fields and may be called from any thread.
 */
final class PeerSession {

    private static final Logger LOG = System.getLogger(PeerSession.class.getName());
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** How many replaced remote ufrags a session remembers (to drop late copies of their credentials). */
    static final int MAX_RETIRED = 8;
    /** Remote candidates taken per remote epoch (until a restart or changed remote credentials); more are dropped. */
    static final int MAX_REMOTE_CANDIDATES = 64;
    /** Messages waiting to be published; more are dropped (counted as publish errors). */
    private static final int MAX_OUTBOX = 256;

    private final EndpointDiscovery owner;
    private final Key peer;
    private final String shortKey;
    private final String logPrefix;
    private final KeyPair keys;
    private final IceRole role;
    private final ExecutorService executor;
    private final CredentialsBackoff backoff;
    private volatile Thread worker;
    private volatile String name;

    // confined to the executor
    private IceCredentials remoteCredentials;
    /** Remote ufrags replaced by a different one: credentials with these are stale. */
    private final ArrayDeque<String> retired = new ArrayDeque<>(MAX_RETIRED);
    /** The current local credentials have been CONNECTED (since the last local restart). */
    private boolean localConnected;
    private boolean checking;
    private final List<Candidate> pendingLocal = new ArrayList<>();
    /** The distinct remote candidates taken in this remote epoch (at most {@link #MAX_REMOTE_CANDIDATES}). */
    private final Set<Candidate> remoteCandidates = new HashSet<>();
    /** Publishes not yet handed to the backend: one is in flight at a time, in order. */
    private final ArrayDeque<Message> outbox = new ArrayDeque<>();
    private boolean publishing;
    private IceScheduler.Cancellable backoffTimer;
    private IceScheduler.Cancellable disconnectedTimer;
    private long epoch;

    // read by status()
    private volatile IceAgent agent;
    private volatile PeerProxy proxy;
    private volatile IceCandidatePair pair;
    private volatile ConnectionState state = ConnectionState.IDLE;
    private volatile int restarts;
    private volatile String lastError;
    private volatile boolean closed;
    /** The last remote ufrag held (kept across local restarts; written on the executor). */
    private volatile String remoteUfrag;

    PeerSession(EndpointDiscovery owner, Key peer, String name) {
        this.owner = owner;
        this.peer = peer;
        this.name = name;
        this.shortKey = Keys.shortKey(peer);
        this.logPrefix = owner.ifaceName() + " peer " + shortKey + ": ";
        this.keys = KeyPair.of(owner.privateKey(), peer);
        this.role = Roles.roleOf(keys.ourPublic(), peer);
        this.backoff = new CredentialsBackoff(owner.random());
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = Thread.ofVirtual().name("epdisc-" + owner.ifaceName() + "-" + shortKey).unstarted(r);
            worker = t;
            return t;
        });
    }

    Key peer() {
        return peer;
    }

    String name() {
        return name;
    }

    IceRole role() {
        return role;
    }

    void rename(String newName) {
        this.name = newName;
    }

    // ---- entry points (any thread) ----------------------------------------------------

    void start() {
        submit(this::create);
    }

    void requestRestart(String reason) {
        submit(() -> {
            if (agent != null) {
                restart(reason, false);
            }
        });
    }

    /** Signaling input, on the backend's thread: validated here, handled on the executor. */
    void onMessage(Message m) {
        Counters c = owner.counters();
        if (m.hasCredentials()) {
            Credentials cr = m.getCredentials();
            IceCredentials creds;
            try {
                creds = new IceCredentials(cr.getUfrag(), cr.getPwd());
            } catch (IllegalArgumentException e) {
                c.malformed.increment();
                LOG.log(Level.DEBUG, () -> logPrefix + "dropped invalid credentials: " + e.getMessage());
                creds = null;
            }
            if (creds != null) {
                IceCredentials accepted = creds;
                boolean need = cr.getNeedCreds();
                c.credentialsReceived.increment();
                submit(() -> onRemoteCredentials(accepted, need));
            }
        }
        if (m.hasCandidate()) {
            CandidateCodec.Decoded d = CandidateCodec.decode(m.getCandidate());
            if (!d.ok()) {
                c.malformed.increment();
                LOG.log(Level.DEBUG, () -> logPrefix + "dropped a candidate: " + d.error());
            } else {
                c.candidatesReceived.increment();
                submit(() -> onRemoteCandidate(d.candidate()));
            }
        }
    }

    /** Tears the session down (agent and proxy closed); waits a little for it unless called from the session itself. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            executor.execute(this::teardown);
        } catch (RejectedExecutionException e) {
            // already shut down
        }
        executor.shutdown();
        if (Thread.currentThread() != worker) {
            try {
                if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(Level.WARNING, logPrefix + "session did not stop within " + CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    PeerSessionStatus status() {
        IceCandidatePair p = pair;
        PeerProxy px = proxy;
        SelectedPair sp = null;
        Duration rtt = null;
        if (p != null) {
            Candidate l = p.local();
            sp = new SelectedPair(l.type(), l.address(), p.remote().type(), p.remote().address(),
                    l.type() == CandidateType.RELAY && l.relayProtocol() != null
                            ? l.relayProtocol().name().toLowerCase(java.util.Locale.ROOT) : "udp");
            IceAgent a = agent;
            if (a != null) {
                for (CandidatePairStats s : a.pairStats()) {
                    if (s.selected()) {
                        rtt = s.currentRtt();
                        break;
                    }
                }
            }
        }
        return new PeerSessionStatus(name, peer, state, p == null || px == null ? null : px.mode(),
                p == null || px == null ? null : px.reason(), sp, rtt, 0, 0, null, null, restarts, lastError);
    }

    /** The restart counter (for tests and status). */
    int restarts() {
        return restarts;
    }

    ConnectionState state() {
        return state;
    }

    /** The last remote ufrag taken, or null (for tests). */
    String remoteUfrag() {
        return remoteUfrag;
    }

    // ---- on the executor --------------------------------------------------------------

    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            executor.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    error("internal error: " + e, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void create() {
        IceAgent a = null;
        try {
            List<Gatherer> gatherers = owner.sharing().gatherers(owner.settings());
            a = IceAgent.create(owner.iceConfig(), role, gatherers);
            a.addListener(new AgentEvents());
            proxy = owner.sharing().attach(peer, a);
            agent = a;
        } catch (IOException | RuntimeException e) {
            if (a != null) {
                a.close();
            }
            error("could not set up the ICE session: " + e.getMessage(), e);
            long ep = epoch;
            Duration delay = backoff.next();
            backoffTimer = owner.timers().schedule(() -> submit(() -> {
                if (ep == epoch && agent == null) {
                    create();
                }
            }), delay.toNanos());
            return;
        }
        LOG.log(Level.INFO, () -> logPrefix + "session started as " + role + ", ufrag " + agent.localCredentials().ufrag());
        backoff.reset();
        updateState();
        sendCredentials(true);
        scheduleCredentialsResend();
    }

    private void onRemoteCredentials(IceCredentials creds, boolean needCreds) {
        IceAgent a = agent;
        if (a == null) {
            return; // not set up yet; the remote sends again
        }
        if (retired.contains(creds.ufrag())) {
            // a late or duplicated copy of credentials the remote has replaced since
            owner.counters().staleCredentials.increment();
            LOG.log(Level.DEBUG, () -> logPrefix + "dropped stale credentials (ufrag " + creds.ufrag()
                    + ", need_creds=" + needCreds + "): replaced since");
            return;
        }
        IceCredentials held = remoteCredentials;
        if (held == null) {
            take(a, creds);
            if (needCreds) {
                sendCredentials(false);
            }
            flushPending(a);
            updateState();
            return;
        }
        if (held.equals(creds)) {
            if (needCreds) {
                // asked again: our answer (or the candidates after it) may have been lost
                sendCredentials(false);
                resendLocalCandidates(a);
            }
            return;
        }
        if (!needCreds) {
            // The remote restarted in answer to our restart and already holds our current
            // credentials; ours held a stale copy of its (a late answer). Adopt, do not restart:
            // restarting here would make the remote restart again, and so on for ever.
            LOG.log(Level.INFO, () -> logPrefix + "remote credentials changed (ufrag " + held.ufrag() + " → "
                    + creds.ufrag() + ") in answer to ours: adopted");
            replaceRemote(a, creds);
            resendLocalCandidates(a);
            updateState();
            return;
        }
        if (!localConnected) {
            // The remote restarted on its own, and our credentials have not connected yet:
            // they are as fresh as a restart would make them. Keep them and answer (a peer
            // that restarts on any change of ours, as cunīcu does, would restart again).
            LOG.log(Level.INFO, () -> logPrefix + "remote credentials changed (ufrag " + held.ufrag() + " → "
                    + creds.ufrag() + "): the peer restarted; ours have not connected yet, kept");
            replaceRemote(a, creds);
            sendCredentials(false);
            resendLocalCandidates(a);
            updateState();
            return;
        }
        LOG.log(Level.INFO, () -> logPrefix + "remote credentials changed (ufrag " + held.ufrag() + " → "
                + creds.ufrag() + "): the peer restarted");
        restart("the peer restarted (new credentials)", true);
        take(a, creds);
        sendCredentials(false);
        flushPending(a);
        updateState();
    }

    /** First remote credentials of this local epoch (none held): taken; checks begin. */
    private void take(IceAgent a, IceCredentials creds) {
        retireIfReplaced(creds);
        remoteCredentials = creds;
        remoteUfrag = creds.ufrag();
        cancel(backoffTimer);
        backoffTimer = null;
        a.setRemoteCredentials(creds);
        if (!checking) {
            checking = true;
            a.gather();
            a.start();
        }
    }

    /** After the credentials: the local candidates found while none were held (those still the agent's). */
    private void flushPending(IceAgent a) {
        List<Candidate> current = a.localCandidates();
        for (Candidate c : pendingLocal) {
            if (current.contains(c)) {
                publishCandidate(c);
            }
        }
        pendingLocal.clear();
    }

    /** Changed remote credentials taken without a local restart: the agent starts over with the remote. */
    private void replaceRemote(IceAgent a, IceCredentials creds) {
        retireIfReplaced(creds);
        remoteCredentials = creds;
        remoteUfrag = creds.ufrag();
        remoteCandidates.clear();
        a.resetRemote(creds);
    }

    /** The last remote ufrag held, when {@code next} has another, is never taken again. */
    private void retireIfReplaced(IceCredentials next) {
        String last = remoteUfrag;
        if (last == null || last.equals(next.ufrag()) || retired.contains(last)) {
            return;
        }
        if (retired.size() == MAX_RETIRED) {
            retired.removeFirst();
        }
        retired.addLast(last);
    }

    private void resendLocalCandidates(IceAgent a) {
        for (Candidate c : a.localCandidates()) {
            publishCandidate(c);
        }
    }

    private void onRemoteCandidate(Candidate c) {
        IceAgent a = agent;
        if (a == null || remoteCandidates.contains(c)) {
            return; // a duplicate (the agent would ignore it too)
        }
        if (remoteCandidates.size() >= MAX_REMOTE_CANDIDATES) {
            owner.counters().remoteCandidatesDropped.increment();
            LOG.log(Level.DEBUG, () -> logPrefix + "dropped remote candidate " + c + ": already "
                    + MAX_REMOTE_CANDIDATES + " since the peer's credentials changed");
            return;
        }
        remoteCandidates.add(c);
        a.addRemoteCandidate(c);
    }

    private void onLocalCandidate(Candidate c) {
        IceAgent a = agent;
        if (a == null || !a.localCandidates().contains(c)) {
            // found before a restart of the agent (the event was on its way): not ours any more
            LOG.log(Level.DEBUG, () -> logPrefix + "dropped local candidate " + c + " of an earlier generation");
            return;
        }
        if (remoteCredentials == null) {
            pendingLocal.add(c);
        } else {
            publishCandidate(c);
        }
    }

    private void onAgentState(IceState from, IceState to) {
        IceAgent a = agent;
        if (a == null) {
            return;
        }
        IceState now = a.state();
        LOG.log(Level.DEBUG, () -> logPrefix + "agent " + from + " → " + to + " (now " + now + ")");
        updateState();
        if (now == IceState.CONNECTED || now == IceState.COMPLETED) {
            localConnected = true;
        }
        if (now == IceState.DISCONNECTED) {
            if (disconnectedTimer == null) {
                long ep = epoch;
                disconnectedTimer = owner.timers().schedule(() -> submit(() -> {
                    disconnectedTimer = null;
                    if (ep == epoch && agent != null && agent.state() == IceState.DISCONNECTED) {
                        restart("disconnected for longer than the failed timeout", false);
                    }
                }), owner.iceConfig().failedTimeout().toNanos());
            }
        } else {
            cancel(disconnectedTimer);
            disconnectedTimer = null;
        }
        if (now == IceState.FAILED) {
            restart("ICE failed", false);
        }
    }

    private void onSelectedPair(IceCandidatePair p) {
        IceCandidatePair old = pair;
        PeerProxy px = proxy;
        if (px != null) {
            try {
                px.selectedPairChanged(p);
            } catch (IOException | RuntimeException e) {
                error("could not point WireGuard at the selected pair " + p + ": " + e.getMessage(), e);
            }
        }
        LOG.log(Level.INFO, () -> logPrefix + "selected pair " + (p == null ? "none" : p + " [" + p.typeName() + "]"));
        owner.emit(new DaemonEvent(owner.wallClock().instant(), DaemonEvent.Type.SELECTED_PAIR_CHANGED,
                owner.ifaceName(), peer, old == null ? null : old.toString(), p == null ? null : p.toString(),
                "peer " + shortKey + ": selected pair " + (p == null ? "none" : p.typeName() + " " + p)));
        pair = p; // after the proxy and the event
    }

    /**
     * @param remoteInitiated the remote restarted (its credentials changed): the caller takes
     *     its new credentials and answers; no request with backoff is sent
     */
    private void restart(String reason, boolean remoteInitiated) {
        IceAgent a = agent;
        epoch++;
        int n = restarts + 1;
        owner.counters().restarts.increment();
        cancel(backoffTimer);
        backoffTimer = null;
        cancel(disconnectedTimer);
        disconnectedTimer = null;
        if (remoteCredentials != null) {
            backoff.reset(); // we had contact: ask quickly again; else the schedule goes on growing
        }
        remoteCredentials = null; // not retired: the remote may answer with the same ones
        localConnected = false;
        pendingLocal.clear();
        remoteCandidates.clear();
        a.restart();
        LOG.log(Level.INFO, () -> logPrefix + "restart #" + n + ": " + reason + "; new ufrag " + a.localCredentials().ufrag());
        owner.emit(new DaemonEvent(owner.wallClock().instant(), DaemonEvent.Type.PEER_RESTARTED, owner.ifaceName(),
                peer, Integer.toString(n - 1), Integer.toString(n), "peer " + shortKey + " restarted: " + reason));
        updateState();
        restarts = n; // last: whoever sees the new count also sees the event and the new state
        if (!remoteInitiated) {
            sendCredentials(true);
            scheduleCredentialsResend();
        }
    }

    private void scheduleCredentialsResend() {
        long ep = epoch;
        Duration delay = backoff.next();
        cancel(backoffTimer);
        backoffTimer = owner.timers().schedule(() -> submit(() -> {
            if (ep == epoch && remoteCredentials == null && agent != null) {
                sendCredentials(true);
                scheduleCredentialsResend();
            }
        }), delay.toNanos());
    }

    private void sendCredentials(boolean needCreds) {
        IceCredentials l = agent.localCredentials();
        Message m = Message.newBuilder()
                .setCredentials(Credentials.newBuilder().setUfrag(l.ufrag()).setPwd(l.password()).setNeedCreds(needCreds))
                .build();
        owner.counters().credentialsSent.increment();
        LOG.log(Level.DEBUG, () -> logPrefix + "sending credentials ufrag " + l.ufrag() + ", need_creds=" + needCreds);
        publish(m);
    }

    private void publishCandidate(Candidate c) {
        owner.counters().candidatesSent.increment();
        LOG.log(Level.DEBUG, () -> logPrefix + "sending candidate " + c);
        publish(Message.newBuilder().setCandidate(CandidateCodec.encode(c)).build());
    }

    /**
     * Queues {@code m}; publishes go out one at a time, the next when the previous completed,
     * so that a candidate never overtakes the credentials sent before it. (The backends
     * complete every publish: gRPC has a deadline, the others send at once.)
     */
    private void publish(Message m) {
        if (outbox.size() >= MAX_OUTBOX) {
            owner.counters().publishErrors.increment();
            LOG.log(Level.DEBUG, () -> logPrefix + "publish dropped: " + MAX_OUTBOX + " messages waiting");
            return;
        }
        outbox.addLast(m);
        if (!publishing) {
            publishNext();
        }
    }

    private void publishNext() {
        Message m = outbox.pollFirst();
        if (m == null) {
            publishing = false;
            return;
        }
        publishing = true;
        CompletableFuture<Void> f;
        try {
            f = owner.backend().publish(m, keys);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> {
            if (e != null) {
                owner.counters().publishErrors.increment();
                LOG.log(Level.DEBUG, () -> logPrefix + "publish failed: " + e);
            }
            submit(this::publishNext);
        });
    }

    private void updateState() {
        ConnectionState next = computeState();
        ConnectionState prev = state;
        if (next == prev) {
            return;
        }
        LOG.log(Level.INFO, () -> logPrefix + prev + " → " + next);
        owner.emit(new DaemonEvent(owner.wallClock().instant(), DaemonEvent.Type.PEER_STATE_CHANGED, owner.ifaceName(),
                peer, prev.name(), next.name(), "peer " + shortKey + " " + prev + " → " + next));
        state = next; // after the event: whoever sees the state has seen its event
    }

    private ConnectionState computeState() {
        IceAgent a = agent;
        if (a == null) {
            return ConnectionState.IDLE;
        }
        IceState s = a.state();
        if (s == IceState.CLOSED) {
            return ConnectionState.CLOSED;
        }
        if (s == IceState.FAILED) {
            return ConnectionState.FAILED;
        }
        if (remoteCredentials == null) {
            return ConnectionState.IDLE;
        }
        return switch (s) {
            case NEW -> ConnectionState.CONNECTING;
            case CHECKING -> ConnectionState.CHECKING;
            case CONNECTED, COMPLETED -> ConnectionState.CONNECTED;
            case DISCONNECTED -> ConnectionState.DISCONNECTED;
            case FAILED -> ConnectionState.FAILED;
            case CLOSED -> ConnectionState.CLOSED;
        };
    }

    private void teardown() {
        cancel(backoffTimer);
        cancel(disconnectedTimer);
        PeerProxy px = proxy;
        IceAgent a = agent;
        if (px != null) {
            try {
                px.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, logPrefix + "closing the proxy failed", e);
            }
        }
        if (a != null) {
            a.close();
        }
        ConnectionState prev = state;
        state = ConnectionState.CLOSED;
        LOG.log(Level.INFO, () -> logPrefix + "session closed");
        if (prev != ConnectionState.CLOSED) {
            owner.emit(new DaemonEvent(owner.wallClock().instant(), DaemonEvent.Type.PEER_STATE_CHANGED,
                    owner.ifaceName(), peer, prev.name(), ConnectionState.CLOSED.name(),
                    "peer " + shortKey + " " + prev + " → CLOSED"));
        }
    }

    private void error(String message, Exception e) {
        lastError = message;
        LOG.log(Level.WARNING, logPrefix + message, LOG.isLoggable(Level.DEBUG) ? e : null);
        owner.emit(new DaemonEvent(owner.wallClock().instant(), DaemonEvent.Type.ERROR, owner.ifaceName(), peer, null,
                null, "peer " + shortKey + ": " + message));
    }

    private static void cancel(IceScheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    /** The agent's events, handed to the session's executor in the order they come. */
    private final class AgentEvents implements IceListener {
        @Override
        public void stateChanged(IceState from, IceState to) {
            submit(() -> onAgentState(from, to));
        }

        @Override
        public void selectedPairChanged(IceCandidatePair p) {
            submit(() -> onSelectedPair(p));
        }

        @Override
        public void localCandidate(Candidate c) {
            submit(() -> onLocalCandidate(c));
        }

        @Override
        public void gatheringFailed(String source, Exception cause) {
            submit(() -> {
                lastError = "gathering from " + source + " failed: " + cause.getMessage();
                LOG.log(Level.WARNING, logPrefix + lastError);
            });
        }
    }
}
