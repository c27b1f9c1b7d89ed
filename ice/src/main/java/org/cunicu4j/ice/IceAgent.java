package org.cunicu4j.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketClassifier;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.ErrorCode;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.StunMethod;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.TransactionId;

/**
 * An ICE agent (RFC 8445, with trickle ICE, RFC 8838, and consent freshness, RFC 7675)
 * for one session with one peer, over the bases its {@link Gatherer}s find.
 *
 * <h2>Use</h2>
 * {@link #create} → {@link #addListener} → {@link #gather()} (local candidates trickle to
 * the listeners; send them and {@link #localCredentials()} to the peer) → {@link #start()}
 * (checks begin) → {@link #setRemoteCredentials}, {@link #addRemoteCandidate} and
 * {@link #endOfRemoteCandidates} as the peer's arrive (in any order, at any time) →
 * {@link IceListener#stateChanged} to CONNECTED → data through {@link #connection()}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Check list per RFC 8445 §6.1.2 ({@link CheckList}): one check every
 *       {@link IceConfig#checkInterval()} (Ta), triggered checks first; retransmission with
 *       RTO = max(500 ms, Ta × pairs waiting or in progress) doubling up to
 *       {@link IceConfig#maxRto()}, {@link IceConfig#maxCheckTransmissions()} sends.</li>
 *   <li>Nomination: <b>regular</b> (§8.1.1). The controlling agent nominates its best valid
 *       pair with a USE-CANDIDATE check once no higher-priority pair is still pending, or
 *       {@link IceConfig#nominationWait()} after the first valid pair and, for a pair
 *       involving a server-/peer-reflexive or relayed candidate, its acceptance wait
 *       ({@link IceConfig#srflxAcceptanceWait()}, {@link IceConfig#relayAcceptanceWait()})
 *       after the first check: a NAT drops the first checks of a direct pair, which then
 *       validates a little after the relayed one. It nominates once (again only for
 *       failover, or when a nomination check failed). The controlled agent selects the pair
 *       nominated most recently, whatever its priority, so both agents use the same pair.
 *       Failover: a controlling agent whose selected pair went DISCONNECTED probes its other
 *       valid pairs and re-nominates one that answers, so the selected pair switches.</li>
 *   <li>Data (non-STUN) is delivered to {@link #connection()} when it comes from the remote
 *       of any valid pair on that pair's base (RFC 8445 §12), not only the selected one;
 *       data over a non-selected valid pair is counted
 *       ({@link IceCounters#dataFromOtherValidPair()}), other data dropped and counted.
 *       Data is sent on the selected pair only.</li>
 *   <li>While CHECKING, the agent fails when every pair has failed after end-of-candidates
 *       on both sides, or when no pair is left to check and nothing new (candidate,
 *       credentials) arrived for {@link IceConfig#failedTimeout()} &mdash; valid pairs or not:
 *       a controlled agent that is never nominated fails too.</li>
 *   <li>Role conflicts (§7.3.1.1, §7.2.5.1) resolved by the 64-bit tie-breaker and 487.</li>
 *   <li>Consent (RFC 7675): a binding request on the selected pair every
 *       {@link IceConfig#consentInterval()}, at most a quarter of the disconnected timeout
 *       (±20 %); no authenticated response for
 *       {@link IceConfig#disconnectedTimeout()} → DISCONNECTED, for
 *       {@link IceConfig#failedTimeout()} → FAILED (then nothing is sent and STUN input,
 *       nominations included, is dropped and counted until {@link #restart()}); a response while disconnected → CONNECTED again. A binding
 *       indication goes on the selected pair when nothing was sent for
 *       {@link IceConfig#keepaliveInterval()}.</li>
 *   <li>Input that is malformed, unauthenticated, for another ufrag, or unexpected is
 *       dropped and counted ({@link #counters()}); readers never stop on it.</li>
 * </ul>
 *
 * <h2>Ownership and threading</h2>
 * The agent owns its gatherers (closed by {@link #close()}; they own the bases). Its state
 * has one lock: readers (one virtual thread per distinct base), the timer (the
 * {@link IceScheduler}) and API calls take it briefly; nothing blocks under it. Control
 * messages are built under it into a small outbox and sent after it is released (one
 * sender at a time), so a send that blocks holds up neither the lock nor, with
 * {@link IceScheduler#system()} (whose ticks run on virtual threads), other agents. Listeners run on the listener executor, never under the lock. Data received
 * for {@link #connection()} and data sent through it take no lock. All methods are
 * thread-safe.
 */
public final class IceAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IceAgent.class.getName());
    private static final long MIN_RTO_NANOS = 500_000_000L;
    private static final int MAX_OUTBOX = 64;

    private final IceConfig config;
    private final IceScheduler clock;
    private final List<Gatherer> gatherers;
    private final ListenerDispatch events;
    private final IceConnection connection;
    private final long tieBreaker;
    private final long ta;
    private final long disconnectedNanos;
    private final long failedNanos;
    private final long keepaliveNanos;

    private final ReentrantLock lock = new ReentrantLock();
    // ---- guarded by lock
    private final Map<PacketConn, BaseReader> readers = new IdentityHashMap<>();
    private final List<LocalEntry> locals = new ArrayList<>();
    private final List<RemoteEntry> remotes = new ArrayList<>();
    private final CheckList checks;
    private final ArrayDeque<Triggered> triggered = new ArrayDeque<>();
    private final Map<TransactionId, Transaction> transactions = new LinkedHashMap<>();
    /** Control messages built under the lock, sent by {@link #flush()} after it is released. */
    private final ArrayDeque<PacketConn> outBase = new ArrayDeque<>();
    private final ArrayDeque<InetSocketAddress> outTo = new ArrayDeque<>();
    private final ArrayDeque<byte[]> outBytes = new ArrayDeque<>();
    private IceCredentials local;
    private byte[] localKey;
    private IceCredentials remote;
    private byte[] remoteKey;
    private IceRole role;
    private IceState state = IceState.NEW;
    private CheckPair selected;
    private CheckPair nominating;
    private boolean started;
    private boolean gatheringStarted;
    private boolean gatheringDone;
    private int gatherersPending;
    private boolean remoteEndOfCandidates;
    private int generation;
    /** When checks began or the last candidate or credentials arrived: the failed timeout of CHECKING runs from here. */
    private long checkingSince;
    private long firstValidAt = -1;
    /** When the first connectivity check of this generation went out (-1: none yet); acceptance waits run from here. */
    private long checksStartedAt = -1;
    /** Controlled agent: the pair the latest USE-CANDIDATE request arrived on (RFC 8445 §8.1.1: it follows the latest nomination). */
    private CheckPair peerNominated;
    private long nextConsentAt;
    private int probeIndex;
    private int prflxCount;
    private IceScheduler.Cancellable tick;
    private volatile boolean closed;
    // ---- guarded by sendLock (one thread sends the outbox at a time; never taken under lock)
    private final ReentrantLock sendLock = new ReentrantLock();
    private final PacketBatch sendBatch = new PacketBatch(1, 2048);
    // ---- lock-free
    /** Messages waiting in the outbox (written under lock). */
    private volatile int outboxSize;
    private volatile Route route;
    /** Every valid pair as a route (rebuilt under lock when the valid list changes): data is accepted on any (RFC 8445 §12). */
    private volatile Route[] validRoutes = new Route[0];
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong badIntegrity = new AtomicLong();
    private final AtomicLong wrongUfrag = new AtomicLong();
    private final AtomicLong unknownTransaction = new AtomicLong();
    private final AtomicLong unexpectedStun = new AtomicLong();
    private final AtomicLong unexpectedData = new AtomicLong();
    private final AtomicLong dataFromOtherValidPair = new AtomicLong();
    private final AtomicLong dataDroppedNoRoute = new AtomicLong();
    private final AtomicLong dataDroppedQueueFull = new AtomicLong();
    private final AtomicLong roleConflicts = new AtomicLong();
    private final AtomicLong readerErrors = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong ignoredRemoteCandidates = new AtomicLong();

    /**
     * The data route: the selected pair's base and remote address, with the remote's raw
     * address bytes and port cached so that a datagram is addressed and matched without
     * allocating ({@code InetAddress.getAddress} clones).
     */
    private record Route(CheckPair pair, PacketConn base, InetSocketAddress remote, byte[] remoteRaw, int remotePort) {
        Route(CheckPair pair, PacketConn base, InetSocketAddress remote) {
            this(pair, base, remote, remote.getAddress().getAddress(), remote.getPort());
        }

        /** True when the slot's source is this route's remote; does not allocate. */
        boolean fromRemote(PacketBatch batch, int slot) {
            int len = remoteRaw.length;
            return batch.port(slot) == remotePort && batch.addressLength(slot) == len
                    && Arrays.equals(batch.addressBytes(slot), 0, len, remoteRaw, 0, len);
        }
    }

    /** A triggered check; {@code nominate} marks the controlling agent's USE-CANDIDATE check. */
    private record Triggered(CheckPair pair, boolean nominate) {}

    private IceAgent(IceConfig config, IceRole role, List<Gatherer> gatherers) {
        this.config = config;
        this.clock = config.scheduler();
        this.gatherers = List.copyOf(gatherers);
        this.events = new ListenerDispatch(config.listenerExecutor());
        this.connection = new IceConnection(this, config.receiveBufferSize());
        this.role = role;
        this.tieBreaker = config.random().nextLong();
        this.ta = config.checkInterval().toNanos();
        this.disconnectedNanos = config.disconnectedTimeout().toNanos();
        this.failedNanos = config.failedTimeout().toNanos();
        this.keepaliveNanos = config.keepaliveInterval().toNanos();
        this.checks = new CheckList(role, config.maxPairs());
        setLocalCredentials(IceCredentials.random(config.random()));
    }

    /**
     * A new agent in state NEW with random credentials (16-letter ufrag, 32-letter
     * password) and a random tie-breaker. Nothing runs until {@link #gather()} or
     * {@link #start()}.
     *
     * @param gatherers owned by the agent from now on
     */
    public static IceAgent create(IceConfig config, IceRole role, List<Gatherer> gatherers) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(gatherers, "gatherers");
        return new IceAgent(config, role, gatherers);
    }

    private void setLocalCredentials(IceCredentials c) {
        local = c;
        localKey = StunCredentials.shortTermKey(c.password());
    }

    // ---- API ---------------------------------------------------------------------------

    public IceCredentials localCredentials() {
        lock.lock();
        try {
            return local;
        } finally {
            lock.unlock();
        }
    }

    public IceRole role() {
        lock.lock();
        try {
            return role;
        } finally {
            lock.unlock();
        }
    }

    /** The 64-bit tie-breaker (RFC 8445 §7.1.1), compared unsigned. */
    public long tieBreaker() {
        return tieBreaker;
    }

    public IceState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    public void addListener(IceListener listener) {
        events.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(IceListener listener) {
        events.remove(listener);
    }

    /**
     * Starts the gatherers (once; again by {@link #restart()}). Each local candidate goes
     * to {@link IceListener#localCandidate} as found, then {@link IceListener#localCandidatesDone}.
     */
    public void gather() {
        int gen;
        String ufrag;
        lock.lock();
        try {
            requireOpen();
            if (gatheringStarted) {
                return;
            }
            gatheringStarted = true;
            gatheringDone = false;
            gatherersPending = gatherers.size();
            gen = generation;
            ufrag = local.ufrag();
            if (gatherers.isEmpty()) {
                gatheringDone = true;
                events.emit(IceListener::localCandidatesDone);
            }
        } finally {
            lock.unlock();
        }
        for (Gatherer g : gatherers) {
            Sink sink = new Sink(gen, g);
            try {
                g.gather(ufrag, config.component(), sink);
            } catch (RuntimeException e) {
                sink.failed(g.toString(), e);
                sink.done();
            }
        }
    }

    /** The local candidates found so far (peer-reflexive ones excluded), in the order found. */
    public List<Candidate> localCandidates() {
        lock.lock();
        try {
            List<Candidate> out = new ArrayList<>();
            for (LocalEntry e : locals) {
                if (e.candidate.type() != CandidateType.PEER_REFLEXIVE) {
                    out.add(e.candidate);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The peer's ufrag and password; checks wait for them. A different ufrag mid-session
     * means the peer restarted: the application must call {@link #restart()} too, or
     * {@link #resetRemote} to keep its own side (the daemon does one or the other), or the
     * old pairs and remote candidates stay.
     */
    public void setRemoteCredentials(IceCredentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        lock.lock();
        try {
            requireOpen();
            remote = credentials;
            remoteKey = StunCredentials.shortTermKey(credentials.password());
            checkingSince = clock.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A remote candidate (trickled): accepted at any time, before or after checks begin
     * and before the remote credentials. One of another component, one after
     * end-of-candidates and a duplicate are ignored and counted; one with the address of a
     * peer-reflexive candidate learnt earlier replaces it.
     */
    public void addRemoteCandidate(Candidate candidate) {
        Objects.requireNonNull(candidate, "candidate");
        lock.lock();
        try {
            requireOpen();
            if (candidate.component() != config.component() || remoteEndOfCandidates) {
                ignoredRemoteCandidates.incrementAndGet();
                return;
            }
            RemoteEntry existing = findRemote(candidate.address());
            if (existing != null) {
                if (existing.candidate.type() == CandidateType.PEER_REFLEXIVE) {
                    existing.candidate = candidate;
                    checks.setRole(role); // recomputes priorities
                } else {
                    ignoredRemoteCandidates.incrementAndGet();
                }
                return;
            }
            RemoteEntry e = new RemoteEntry(candidate);
            remotes.add(e);
            checkingSince = clock.nanoTime();
            for (LocalEntry l : List.copyOf(locals)) {
                permitRelay(checks.add(l, e, locals));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The peer sent end-of-candidates: the agent may now fail when every pair has failed, and complete. */
    public void endOfRemoteCandidates() {
        lock.lock();
        try {
            requireOpen();
            remoteEndOfCandidates = true;
            updateState(clock.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    /** Begins connectivity checks (NEW → CHECKING) and the agent's timer. Idempotent. */
    public void start() {
        lock.lock();
        try {
            requireOpen();
            if (started) {
                return;
            }
            started = true;
            checkingSince = clock.nanoTime();
            checks.start();
            setState(IceState.CHECKING, checkingSince);
            tick = clock.schedule(this::tick, 0);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The selected pair; it stays visible after FAILED (data is no longer sent on it) until a
     * restart, and after a restart of a working agent while it still carries data.
     */
    public Optional<IceCandidatePair> selectedPair() {
        lock.lock();
        try {
            CheckPair p = selected;
            if (p == null && route != null) {
                p = route.pair; // restarted: the old pair still carries data
            }
            return p == null ? Optional.empty()
                    : Optional.of(new IceCandidatePair(p.local.candidate, p.remote.candidate));
        } finally {
            lock.unlock();
        }
    }

    /** The selected pair as a data connection (one per agent; closing it closes data only). */
    public IceConnection connection() {
        return connection;
    }

    /**
     * ICE restart: new local credentials; the remote credentials, remote candidates and
     * pairs are cleared; the selected pair's route keeps carrying data (RFC 8445 §9) until
     * a new pair is selected, unless the agent was FAILED (then it is cleared and
     * {@link IceListener#selectedPairChanged} reports null); the gatherers run again (with the new ufrag) and the
     * local candidates trickle to the listeners again, then end-of-candidates. Back to
     * CHECKING (NEW if checks were never started); a FAILED agent is alive again.
     */
    public void restart() {
        boolean regather;
        lock.lock();
        try {
            requireOpen();
            long now = clock.nanoTime();
            generation++;
            setLocalCredentials(IceCredentials.random(config.random()));
            remote = null;
            remoteKey = null;
            locals.clear();
            clearRemoteSide();
            regather = gatheringStarted;
            gatheringStarted = false;
            gatheringDone = false;
            if (started) {
                checks.start();
                checkingSince = now;
                setState(IceState.CHECKING, now);
            } else {
                setState(IceState.NEW, now);
            }
        } finally {
            lock.unlock();
        }
        if (regather) {
            gather();
        }
    }

    /**
     * The peer restarted and we keep our side: {@code credentials} become the remote
     * credentials; the remote candidates, pairs, checks in flight and peer-reflexive local
     * candidates (learnt from the old checks) are cleared as by {@link #restart()}, and the
     * selected pair's route is kept or dropped as there; unlike a restart, the local
     * credentials and the gathered local candidates stay and nothing is gathered again (send
     * {@link #localCandidates()} to the peer again). Back to CHECKING if checks were started
     * (a FAILED agent is alive again), else it stays NEW.
     */
    public void resetRemote(IceCredentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        lock.lock();
        try {
            requireOpen();
            long now = clock.nanoTime();
            remote = credentials;
            remoteKey = StunCredentials.shortTermKey(credentials.password());
            locals.removeIf(e -> e.candidate.type() == CandidateType.PEER_REFLEXIVE);
            clearRemoteSide();
            checkingSince = now;
            if (started) {
                checks.start();
                setState(IceState.CHECKING, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * What {@link #restart()} and {@link #resetRemote} both clear, under the lock: the remote
     * candidates, pairs, checks in flight and nomination state, and the selected pair. Its
     * route is dropped when the agent was FAILED or nothing was selected; otherwise data
     * keeps flowing on it until a new pair is selected (RFC 8445 §9).
     */
    private void clearRemoteSide() {
        remotes.clear();
        checks.clear();
        triggered.clear();
        transactions.clear();
        nominating = null;
        peerNominated = null;
        remoteEndOfCandidates = false;
        firstValidAt = -1;
        checksStartedAt = -1;
        refreshValidRoutes();
        boolean hadSelected = selected != null;
        selected = null;
        if (state == IceState.FAILED || !hadSelected) {
            route = null;
            if (hadSelected) {
                events.emit(l -> l.selectedPairChanged(null));
            }
        }
    }

    public List<CandidateStats> candidateStats() {
        lock.lock();
        try {
            List<CandidateStats> out = new ArrayList<>();
            for (LocalEntry e : locals) {
                out.add(new CandidateStats(e.candidate, true, e.traffic.snapshot()));
            }
            for (RemoteEntry e : remotes) {
                out.add(new CandidateStats(e.candidate, false, e.traffic.snapshot()));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Every pair of the check list and the valid list, highest priority first. */
    public List<CandidatePairStats> pairStats() {
        lock.lock();
        try {
            List<CandidatePairStats> out = new ArrayList<>();
            for (CheckPair p : checks.pairs()) {
                out.add(p.snapshot(p == selected));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    public IceCounters counters() {
        return new IceCounters(malformed.get(), badIntegrity.get(), wrongUfrag.get(), unknownTransaction.get(),
                unexpectedStun.get(), unexpectedData.get(), dataFromOtherValidPair.get(), dataDroppedNoRoute.get(), dataDroppedQueueFull.get(),
                roleConflicts.get(), readerErrors.get(), sendErrors.get(), ignoredRemoteCandidates.get());
    }

    /**
     * Stops the timer, closes the connection and the gatherers (and so the bases they own,
     * which wakes the readers) and stops the readers; CLOSED. A reader blocked on a base
     * nobody closes, whose receive ignores interrupts, ends at its next datagram. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (tick != null) {
                tick.cancel();
            }
            route = null;
            validRoutes = new Route[0];
            setState(IceState.CLOSED, clock.nanoTime());
        } finally {
            lock.unlock();
        }
        connection.close();
        for (Gatherer g : gatherers) {
            try {
                g.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing gatherer " + g + " failed", e);
            }
        }
        List<BaseReader> stopping;
        lock.lock();
        try {
            stopping = List.copyOf(readers.values());
            readers.clear();
        } finally {
            lock.unlock();
        }
        stopping.forEach(BaseReader::stop);
    }

    /** The reader threads running now (for tests). */
    List<Thread> readerThreads() {
        lock.lock();
        try {
            List<Thread> out = new ArrayList<>();
            for (BaseReader r : readers.values()) {
                out.add(r.thread());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** After a restart's gathering: stops the readers of bases no local candidate uses any more. */
    private void pruneReaders() {
        Iterator<Map.Entry<PacketConn, BaseReader>> it = readers.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<PacketConn, BaseReader> e = it.next();
            boolean used = false;
            for (LocalEntry l : locals) {
                used |= l.base == e.getKey();
            }
            if (!used) {
                e.getValue().stop();
                it.remove();
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the ICE agent is closed");
        }
    }

    // ---- gathering -----------------------------------------------------------------------

    /** A gatherer's sink for one generation (a restart starts another; late reports of the old one are ignored). */
    private final class Sink implements Gatherer.Sink {
        private final int gen;
        private final Gatherer gatherer;
        private boolean done;

        Sink(int gen, Gatherer gatherer) {
            this.gen = gen;
            this.gatherer = gatherer;
        }

        @Override
        public void candidate(LocalCandidate candidate) {
            onLocalCandidate(gen, candidate);
        }

        @Override
        public void failed(String source, Exception cause) {
            events.emit(l -> l.gatheringFailed(source, cause));
        }

        @Override
        public void done() {
            lock.lock();
            try {
                if (done || gen != generation || closed) {
                    return;
                }
                done = true;
                if (--gatherersPending == 0) {
                    gatheringDone = true;
                    pruneReaders();
                    events.emit(IceListener::localCandidatesDone);
                    updateState(clock.nanoTime());
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "sink of " + gatherer;
        }
    }

    private void onLocalCandidate(int gen, LocalCandidate lc) {
        Candidate c = lc.candidate();
        lock.lock();
        try {
            if (gen != generation || closed || !config.candidateTypes().contains(c.type())
                    || c.component() != config.component() || c.type() == CandidateType.PEER_REFLEXIVE) {
                return;
            }
            for (LocalEntry e : locals) {
                if (e.base == lc.base() && e.candidate.address().equals(c.address())) {
                    return; // duplicate
                }
            }
            LocalEntry e = new LocalEntry(c, lc.base());
            locals.add(e);
            checkingSince = clock.nanoTime();
            if (!readers.containsKey(lc.base())) {
                BaseReader r = new BaseReader(this, lc.base(), config.receiveBufferSize());
                readers.put(lc.base(), r);
                r.start();
            }
            for (RemoteEntry r : List.copyOf(remotes)) {
                permitRelay(checks.add(e, r, locals));
            }
            events.emit(l -> l.localCandidate(c));
        } finally {
            lock.unlock();
        }
    }

    // ---- reading -------------------------------------------------------------------------

    void readerError(PacketConn base, Exception e) {
        readerErrors.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, () -> "receive on ICE base " + base.localAddress() + " failed: " + e);
    }

    /** One datagram from a reader: STUN to the agent, data from the selected remote to the connection. Never throws. */
    void onDatagram(PacketConn base, PacketBatch batch, int slot) {
        try {
            ByteBuffer buf = batch.buffer(slot);
            if (PacketClassifier.classify(buf) == PacketClassifier.Kind.STUN) {
                onStunDatagram(base, batch, slot);
                return;
            }
            Route r = route;
            if (r != null && r.base == base && r.fromRemote(batch, slot)) {
                int len = buf.remaining();
                long now = clock.nanoTime();
                r.pair.traffic.received(len, now);
                r.pair.local.traffic.received(len, now);
                r.pair.remote.traffic.received(len, now);
                if (!connection.offer(batch, slot)) {
                    dataDroppedQueueFull.incrementAndGet();
                }
            } else {
                onOtherData(base, batch, slot);
            }
        } catch (RuntimeException e) {
            malformed.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, () -> "dropped a datagram that failed handling: " + e);
        }
    }

    /**
     * Data not from the selected route: delivered when it came from the remote of another
     * valid pair on its base (RFC 8445 §12: the peer may have selected that pair), else
     * dropped and counted. A linear scan of the snapshot; does not allocate.
     */
    private void onOtherData(PacketConn base, PacketBatch batch, int slot) {
        Route[] valid = validRoutes;
        for (Route v : valid) {
            if (v.base == base && v.fromRemote(batch, slot)) {
                int len = batch.buffer(slot).remaining();
                long now = clock.nanoTime();
                v.pair.traffic.received(len, now);
                v.pair.local.traffic.received(len, now);
                v.pair.remote.traffic.received(len, now);
                dataFromOtherValidPair.incrementAndGet();
                if (!connection.offer(batch, slot)) {
                    dataDroppedQueueFull.incrementAndGet();
                }
                return;
            }
        }
        unexpectedData.incrementAndGet();
    }

    /** Rebuilds {@link #validRoutes} from the check list's valid pairs (under lock). */
    private void refreshValidRoutes() {
        if (closed || state == IceState.FAILED) {
            validRoutes = new Route[0];
            return;
        }
        List<Route> out = new ArrayList<>();
        for (CheckPair p : checks.pairs()) {
            if (p.valid) {
                out.add(new Route(p, p.local.base, p.remote.candidate.address()));
            }
        }
        validRoutes = out.toArray(new Route[0]);
    }

    private void onStunDatagram(PacketConn base, PacketBatch batch, int slot) {
        ByteBuffer buf = batch.buffer(slot);
        StunMessage msg;
        try {
            msg = StunMessage.parse(buf);
        } catch (StunParseException e) {
            malformed.incrementAndGet();
            return;
        }
        InetSocketAddress from = batch.address(slot);
        int len = buf.remaining();
        lock.lock();
        try {
            onStunLocked(base, msg, from, len);
        } finally {
            lock.unlock();
        }
        flush();
    }

    private void onStunLocked(PacketConn base, StunMessage msg, InetSocketAddress from, int len) {
        {
            if (closed) {
                return;
            }
            if (state == IceState.FAILED) {
                // RFC 7675 §5.1: nothing more is sent; no nomination or triggered check revives the agent, only restart()
                unexpectedStun.incrementAndGet();
                return;
            }
            long now = clock.nanoTime();
            if (msg.method() != StunMethod.BINDING) {
                unexpectedStun.incrementAndGet();
                return;
            }
            switch (msg.messageClass()) {
                case REQUEST -> onRequest(base, msg, from, len, now);
                case SUCCESS_RESPONSE, ERROR_RESPONSE -> onResponse(base, msg, from, len, now);
                case INDICATION -> onIndication(base, msg, from, len, now);
            }
            updateState(now);
        }
    }

    private void onIndication(PacketConn base, StunMessage msg, InetSocketAddress from, int len, long now) {
        if (msg.hasFingerprint() && !msg.verifyFingerprint()) {
            badIntegrity.incrementAndGet();
            return;
        }
        RemoteEntry r = findRemote(from);
        if (r == null) {
            unexpectedStun.incrementAndGet();
            return;
        }
        r.traffic.received(len, now);
        for (CheckPair p : checks.pairs()) {
            if (p.remote == r && p.local.base == base) {
                p.traffic.received(len, now);
                p.local.traffic.received(len, now);
                return;
            }
        }
    }

    // ---- incoming requests (RFC 8445 §7.3) -------------------------------------------------

    private void onRequest(PacketConn base, StunMessage msg, InetSocketAddress from, int len, long now) {
        Optional<String> user = msg.username();
        if (user.isEmpty() || !msg.hasMessageIntegrity()) {
            badIntegrity.incrementAndGet();
            return;
        }
        if (!msg.hasFingerprint() || !msg.verifyFingerprint()) {
            // RFC 8445 §7.2.2: checks carry FINGERPRINT; it tells them from WireGuard on a shared port
            badIntegrity.incrementAndGet();
            return;
        }
        String username = user.get();
        int colon = username.indexOf(':');
        if (colon < 0 || !username.substring(0, colon).equals(local.ufrag())) {
            wrongUfrag.incrementAndGet();
            return;
        }
        if (!msg.verifyMessageIntegrity(localKey)) {
            badIntegrity.incrementAndGet();
            return;
        }
        if (remote != null && !username.substring(colon + 1).equals(remote.ufrag())) {
            wrongUfrag.incrementAndGet();
            return;
        }
        LocalEntry localEntry = localForBase(base);
        if (localEntry == null) {
            unexpectedStun.incrementAndGet();
            return;
        }
        // role conflict, §7.3.1.1
        if (role == IceRole.CONTROLLING && msg.iceControlling().isPresent()) {
            roleConflicts.incrementAndGet();
            if (Long.compareUnsigned(tieBreaker, msg.iceControlling().getAsLong()) >= 0) {
                sendError(base, from, msg, ErrorCode.ROLE_CONFLICT, "Role Conflict", localEntry, now);
                return;
            }
            switchRole(IceRole.CONTROLLED);
        } else if (role == IceRole.CONTROLLED && msg.iceControlled().isPresent()) {
            roleConflicts.incrementAndGet();
            if (Long.compareUnsigned(tieBreaker, msg.iceControlled().getAsLong()) >= 0) {
                switchRole(IceRole.CONTROLLING);
            } else {
                sendError(base, from, msg, ErrorCode.ROLE_CONFLICT, "Role Conflict", localEntry, now);
                return;
            }
        }
        RemoteEntry remoteEntry = findRemote(from);
        if (remoteEntry == null) {
            if (msg.priority().isEmpty()) {
                malformed.incrementAndGet();
                return;
            }
            // peer-reflexive remote candidate, §7.3.1.3
            Candidate prflx = new Candidate("prflx" + (++prflxCount), config.component(),
                    Math.clamp(msg.priority().getAsLong(), 1L, 0xFFFF_FFFFL), from, CandidateType.PEER_REFLEXIVE,
                    null, null);
            remoteEntry = new RemoteEntry(prflx);
            remotes.add(remoteEntry);
            for (LocalEntry l : List.copyOf(locals)) {
                permitRelay(checks.add(l, remoteEntry, locals));
            }
        }
        remoteEntry.traffic.requestReceived(len, now);
        localEntry.traffic.requestReceived(len, now);
        byte[] response = StunMessage.builder(MessageType.BINDING_SUCCESS, msg.transactionId())
                .xorMappedAddress(from)
                .messageIntegrity(localKey)
                .fingerprint()
                .build();
        sendControl(base, from, response);
        remoteEntry.traffic.responseSent(response.length, now);
        localEntry.traffic.responseSent(response.length, now);

        CheckPair pair = checks.find(localEntry, remoteEntry);
        if (pair == null) {
            pair = checks.add(localEntry, remoteEntry, locals);
            permitRelay(pair);
            if (pair == null) {
                return; // over the pair limit, or another family
            }
        }
        pair.traffic.requestReceived(len, now);
        pair.traffic.responseSent(response.length, now);
        // triggered check, §7.3.1.4
        switch (pair.state) {
            case FROZEN, WAITING, FAILED -> {
                pair.state = CandidatePairState.WAITING;
                if (!isTriggered(pair)) {
                    triggered.add(new Triggered(pair, false));
                }
            }
            case IN_PROGRESS, SUCCEEDED -> { }
        }
        if (msg.useCandidate() && role == IceRole.CONTROLLED) {
            peerNominated = pair;
            if (pair.state == CandidatePairState.SUCCEEDED) {
                nominatedByPeer(pair.validPair != null ? pair.validPair : pair, now);
            } else {
                pair.nominateOnSuccess = true;
            }
        }
    }

    /**
     * RFC 8445 §7.2.1: before the first check through a relayed candidate, the TURN server
     * must permit the remote address. Asked for on a virtual thread when the pair is
     * formed (never blocks the agent); the allocation shares one request per IP, and its
     * send drops what goes out before the permission is installed (retransmissions follow).
     */
    private void permitRelay(CheckPair pair) {
        if (pair == null || !(pair.local.base instanceof org.cunicu4j.stun.turn.Allocation allocation)) {
            return;
        }
        java.net.InetAddress ip = pair.remote.candidate.address().getAddress();
        if (allocation.hasPermission(ip)) {
            return;
        }
        Thread.ofVirtual().name("ice-turn-permission").start(() -> {
            try {
                allocation.createPermission(ip);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "TURN permission for " + ip + " on " + allocation + " failed: " + e);
            }
        });
    }

    private boolean isTriggered(CheckPair p) {
        for (Triggered t : triggered) {
            if (t.pair == p && !t.nominate) {
                return true;
            }
        }
        return false;
    }

    private void sendError(PacketConn base, InetSocketAddress to, StunMessage request, int code, String reason,
            LocalEntry localEntry, long now) {
        byte[] response = StunMessage.builder(MessageType.BINDING_ERROR, request.transactionId())
                .errorCode(code, reason)
                .messageIntegrity(localKey)
                .fingerprint()
                .build();
        sendControl(base, to, response);
        localEntry.traffic.responseSent(response.length, now);
    }

    private void switchRole(IceRole newRole) {
        role = newRole;
        checks.setRole(newRole);
        peerNominated = null;
        if (newRole == IceRole.CONTROLLED) {
            nominating = null;
            triggered.removeIf(Triggered::nominate);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "ICE agent " + local.ufrag() + " is now " + newRole);
    }

    // ---- responses (RFC 8445 §7.2.5) -------------------------------------------------------

    private void onResponse(PacketConn base, StunMessage msg, InetSocketAddress from, int len, long now) {
        TransactionId tid = msg.transactionId();
        Transaction t = transactions.get(tid);
        if (t == null) {
            unknownTransaction.incrementAndGet();
            return;
        }
        if (!msg.hasMessageIntegrity() || !msg.verifyMessageIntegrity(t.key)
                || (msg.hasFingerprint() && !msg.verifyFingerprint())) {
            badIntegrity.incrementAndGet();
            return;
        }
        transactions.remove(tid);
        CheckPair pair = t.pair;
        pair.traffic.responseReceived(len, now);
        pair.local.traffic.responseReceived(len, now);
        pair.remote.traffic.responseReceived(len, now);
        if (base != t.base || !from.equals(t.to)) {
            // not symmetric, §7.2.5.2.1
            if (t.kind == Transaction.Kind.CHECK) {
                failCheck(t);
            }
            return;
        }
        if (msg.messageClass() == org.cunicu4j.stun.StunClass.ERROR_RESPONSE) {
            int code = msg.errorCode().map(ErrorCode::code).orElse(0);
            if (t.kind == Transaction.Kind.CONSENT) {
                return; // treated as no answer: consent runs out on its own
            }
            if (code == ErrorCode.ROLE_CONFLICT) {
                roleConflicts.incrementAndGet();
                if (role == t.roleSent) {
                    switchRole(t.roleSent.opposite());
                }
                if (t.useCandidate) {
                    if (nominating == pair) {
                        nominating = null;
                    }
                } else {
                    pair.state = CandidatePairState.WAITING;
                    triggered.add(new Triggered(pair, false));
                }
                return;
            }
            failCheck(t);
            return;
        }
        pair.recordRtt(now - t.lastSent);
        if (t.kind == Transaction.Kind.CONSENT) {
            pair.lastConsentNanos = now;
            return;
        }
        onCheckSuccess(t, msg, now);
    }

    private void failCheck(Transaction t) {
        CheckPair pair = t.pair;
        if (t.useCandidate) {
            if (nominating == pair) {
                nominating = null;
            }
            pair.valid = false;
            pair.state = CandidatePairState.FAILED;
            refreshValidRoutes();
        } else if (pair.state == CandidatePairState.IN_PROGRESS) {
            pair.state = CandidatePairState.FAILED;
        }
    }

    private void onCheckSuccess(Transaction t, StunMessage msg, long now) {
        CheckPair pair = t.pair;
        InetSocketAddress mapped = msg.xorMappedAddress().orElse(null);
        if (mapped == null) {
            malformed.incrementAndGet();
            failCheck(t);
            return;
        }
        LocalEntry validLocal = null;
        for (LocalEntry e : locals) {
            if (e.base == t.base && e.candidate.address().equals(mapped)) {
                validLocal = e;
                break;
            }
        }
        if (validLocal == null) {
            // peer-reflexive local candidate, §7.2.5.3.1
            InetSocketAddress baseAddress = t.base.localAddress();
            Candidate prflx = new Candidate(
                    Candidate.foundationOf(CandidateType.PEER_REFLEXIVE, baseAddress.getAddress(), null, null),
                    config.component(), t.prflxPriority, mapped, CandidateType.PEER_REFLEXIVE, baseAddress, null);
            validLocal = new LocalEntry(prflx, t.base);
            locals.add(validLocal);
        }
        CheckPair valid = validLocal == pair.local ? pair : checks.addValid(validLocal, pair.remote);
        pair.state = CandidatePairState.SUCCEEDED;
        pair.validPair = valid;
        pair.lastConsentNanos = now;
        valid.valid = true;
        valid.state = CandidatePairState.SUCCEEDED;
        valid.lastConsentNanos = now;
        if (firstValidAt < 0) {
            firstValidAt = now;
        }
        refreshValidRoutes();
        checks.unfreeze(pair.foundation());
        if (t.useCandidate && role == IceRole.CONTROLLING && t.roleSent == IceRole.CONTROLLING) {
            if (nominating == pair) {
                nominating = null;
            }
            valid.nominated = true;
            select(valid, now);
        } else if (pair.nominateOnSuccess && role == IceRole.CONTROLLED) {
            pair.nominateOnSuccess = false;
            if (pair == peerNominated) {
                nominatedByPeer(valid, now);
            } else {
                valid.nominated = true; // nominated earlier; a later nomination of another pair stands
            }
        }
    }

    private void nominatedByPeer(CheckPair valid, long now) {
        if (state == IceState.FAILED) {
            return;
        }
        valid.nominated = true;
        // RFC 8445 §8.1.1: the controlling agent decides; the latest nomination wins whatever the priority
        // (priorities computed on the two sides can differ, e.g. for peer-reflexive candidates), so both
        // agents send on the same pair
        select(valid, now);
    }

    private void select(CheckPair pair, long now) {
        if (selected == pair || state == IceState.FAILED || closed) {
            return;
        }
        selected = pair;
        endChecksAfterNomination(pair);
        pair.lastConsentNanos = Math.max(pair.lastConsentNanos, now);
        route = new Route(pair, pair.local.base, pair.remote.candidate.address());
        nextConsentAt = now + consentJitter();
        IceCandidatePair ip = new IceCandidatePair(pair.local.candidate, pair.remote.candidate);
        LOG.log(System.Logger.Level.DEBUG, () -> "ICE agent " + local.ufrag() + " selected " + ip);
        events.emit(l -> l.selectedPairChanged(ip));
        updateState(now);
    }

    /** The next consent request's delay: the interval (at most a quarter of the disconnected timeout, so ≥ 3 go out per timeout) × 0.8..1.2. */
    /**
     * RFC 8445 §8.1.2: once a pair is nominated, frozen and waiting pairs leave the check
     * list and checks in progress on other pairs are not retransmitted (their responses
     * still count), so the agent completes promptly. Valid pairs stay, for failover.
     */
    private void endChecksAfterNomination(CheckPair nominated) {
        checks.pairs().removeIf(p -> p != nominated && !p.valid
                && (p.state == CandidatePairState.FROZEN || p.state == CandidatePairState.WAITING));
        triggered.removeIf(t -> !t.nominate && t.pair != nominated && !t.pair.valid);
        for (Transaction t : transactions.values()) {
            if (t.kind == Transaction.Kind.CHECK && t.pair != nominated) {
                t.lastTransmission = true;
            }
        }
    }

    private long consentJitter() {
        long interval = Math.min(config.consentInterval().toNanos(), disconnectedNanos / 4);
        return (long) (interval * (0.8 + 0.4 * config.random().nextDouble()));
    }

    // ---- the timer ---------------------------------------------------------------------------

    private void tick() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            expireTransactions(now);
            if (state != IceState.FAILED && started) {
                if (remoteKey != null) {
                    nominateIfReady(now); // first: a nomination goes out in this tick's check slot
                    sendOneCheck(now);
                    consentAndKeepalive(now);
                }
            }
            updateState(now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ICE agent tick failed", e);
        } finally {
            if (!closed) {
                tick = clock.schedule(this::tick, ta);
            }
            lock.unlock();
        }
        flush();
    }

    private void expireTransactions(long now) {
        Iterator<Transaction> it = transactions.values().iterator();
        while (it.hasNext()) {
            Transaction t = it.next();
            if (now - t.deadline < 0) {
                continue;
            }
            if (t.kind == Transaction.Kind.CHECK && !t.lastTransmission
                    && t.transmissions < config.maxCheckTransmissions()) {
                t.rto = Math.min(t.rto * 2, config.maxRto().toNanos());
                transmit(t, now);
            } else {
                it.remove();
                if (t.kind == Transaction.Kind.CHECK) {
                    failCheck(t);
                }
            }
        }
    }

    private void sendOneCheck(long now) {
        Triggered t;
        while ((t = triggered.poll()) != null) {
            if (!checks.pairs().contains(t.pair)) {
                continue;
            }
            if (t.nominate) {
                if (role != IceRole.CONTROLLING) {
                    nominating = null;
                    continue;
                }
                sendCheck(t.pair, true, now);
                return;
            }
            if (t.pair.state == CandidatePairState.SUCCEEDED || t.pair.state == CandidatePairState.IN_PROGRESS) {
                continue;
            }
            sendCheck(t.pair, false, now);
            return;
        }
        CheckPair p = checks.nextOrdinary();
        if (p != null) {
            sendCheck(p, false, now);
        }
    }

    private void sendCheck(CheckPair pair, boolean useCandidate, long now) {
        long n = checks.count(CandidatePairState.WAITING) + checks.count(CandidatePairState.IN_PROGRESS);
        long rto = Math.min(Math.max(MIN_RTO_NANOS, ta * n), config.maxRto().toNanos());
        Transaction t = request(pair, Transaction.Kind.CHECK, useCandidate, rto);
        transactions.put(t.id, t);
        transmit(t, now);
        if (checksStartedAt < 0) {
            checksStartedAt = now;
        }
        if (!useCandidate) {
            pair.state = CandidatePairState.IN_PROGRESS;
        }
    }

    private Transaction request(CheckPair pair, Transaction.Kind kind, boolean useCandidate, long rto) {
        long prflxPriority = Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, pair.local.localPreference(),
                config.component());
        TransactionId tid = TransactionId.random();
        StunMessageBuilder b = StunMessage.builder(MessageType.BINDING_REQUEST, tid)
                .username(remote.ufrag() + ":" + local.ufrag())
                .priority(prflxPriority);
        if (role == IceRole.CONTROLLING) {
            b.iceControlling(tieBreaker);
            if (useCandidate) {
                b.useCandidate();
            }
        } else {
            b.iceControlled(tieBreaker);
        }
        byte[] bytes = b.messageIntegrity(remoteKey).fingerprint().build();
        return new Transaction(tid, pair, kind, useCandidate && role == IceRole.CONTROLLING, role, remoteKey, bytes,
                prflxPriority, rto);
    }

    private void transmit(Transaction t, long now) {
        sendControl(t.base, t.to, t.bytes);
        t.transmissions++;
        t.lastSent = now;
        t.deadline = now + t.rto;
        t.pair.traffic.requestSent(t.bytes.length, now);
        t.pair.local.traffic.requestSent(t.bytes.length, now);
        t.pair.remote.traffic.requestSent(t.bytes.length, now);
    }

    private void nominateIfReady(long now) {
        if (role != IceRole.CONTROLLING || nominating != null) {
            return;
        }
        if (selected == null) {
            CheckPair best = checks.bestValid();
            if (best == null) {
                return;
            }
            if (!checks.betterPending(best) || (now - firstValidAt >= config.nominationWait().toNanos()
                    && checksStartedAt >= 0 && now - checksStartedAt >= acceptanceWait(best))) {
                nominate(best);
            }
        } else if (state == IceState.DISCONNECTED) {
            for (CheckPair p : checks.pairs()) {
                if (p.valid && p != selected && p.lastConsentNanos > selected.lastConsentNanos) {
                    nominate(p);
                    return;
                }
            }
        }
    }

    /** How long after the first check a pair of this kind may be nominated while a better one is still pending. */
    private long acceptanceWait(CheckPair p) {
        CandidateType l = p.local.candidate.type();
        CandidateType r = p.remote.candidate.type();
        if (l == CandidateType.RELAY || r == CandidateType.RELAY) {
            return config.relayAcceptanceWait().toNanos();
        }
        if (l == CandidateType.HOST && r == CandidateType.HOST) {
            return 0;
        }
        return config.srflxAcceptanceWait().toNanos();
    }

    private void nominate(CheckPair p) {
        nominating = p;
        triggered.addFirst(new Triggered(p, true));
    }

    private void consentAndKeepalive(long now) {
        if (selected == null) {
            return;
        }
        if (now - nextConsentAt >= 0) {
            sendConsent(selected, now);
            nextConsentAt = now + consentJitter();
        }
        if (state == IceState.DISCONNECTED && role == IceRole.CONTROLLING) {
            probeOtherValidPair(now);
        }
        if (now - selected.traffic.lastPacketSent() >= keepaliveNanos) {
            byte[] indication = StunMessage.builder(MessageType.BINDING_INDICATION, TransactionId.random())
                    .fingerprint()
                    .build();
            sendControl(selected.local.base, selected.remote.candidate.address(), indication);
            selected.traffic.sent(indication.length, now);
            selected.local.traffic.sent(indication.length, now);
            selected.remote.traffic.sent(indication.length, now);
        }
    }

    private void sendConsent(CheckPair pair, long now) {
        Transaction t = request(pair, Transaction.Kind.CONSENT, false, disconnectedNanos);
        transactions.put(t.id, t);
        transmit(t, now);
    }

    /** Failover: while the selected pair is silent, one consent request per tick to the other valid pairs in turn. */
    private void probeOtherValidPair(long now) {
        List<CheckPair> others = new ArrayList<>();
        for (CheckPair p : checks.pairs()) {
            if (p.valid && p != selected) {
                others.add(p);
            }
        }
        if (!others.isEmpty()) {
            sendConsent(others.get(Math.floorMod(probeIndex++, others.size())), now);
        }
    }

    // ---- state -------------------------------------------------------------------------------

    private void updateState(long now) {
        if (closed || state == IceState.FAILED || !started) {
            return;
        }
        IceState next;
        if (selected != null) {
            long age = now - selected.lastConsentNanos;
            if (age >= failedNanos) {
                next = IceState.FAILED;
            } else if (age >= disconnectedNanos) {
                next = IceState.DISCONNECTED;
            } else {
                next = completed() ? IceState.COMPLETED : IceState.CONNECTED;
            }
        } else {
            boolean nothingPending = checks.done() && triggered.isEmpty() && nominating == null;
            boolean allFailed = !checks.pairs().isEmpty() && nothingPending && checks.bestValid() == null;
            // trickle: not while a pair is still being checked, and only failedTimeout after the last news;
            // valid pairs do not count: a controlled agent that is never nominated must fail too
            boolean timedOut = nothingPending && now - checkingSince >= failedNanos;
            next = (allFailed && remoteEndOfCandidates && gatheringDone) || timedOut ? IceState.FAILED
                    : IceState.CHECKING;
        }
        setState(next, now);
    }

    private boolean completed() {
        return remoteEndOfCandidates && gatheringDone && checks.done() && triggered.isEmpty() && nominating == null;
    }

    private void setState(IceState next, long now) {
        if (next == state) {
            return;
        }
        if (next == IceState.COMPLETED && state == IceState.CHECKING) {
            setState(IceState.CONNECTED, now); // completed only ever follows connected
        }
        IceState old = state;
        state = next;
        if (next == IceState.FAILED) {
            // RFC 7675 §5.1: no consent, nothing more is sent; restart() revives the agent
            triggered.clear();
            transactions.clear();
            route = null;
            validRoutes = new Route[0];
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "ICE agent " + local.ufrag() + ": " + old + " -> " + next);
        events.emit(l -> l.stateChanged(old, next));
    }

    // ---- lookups and sending -----------------------------------------------------------------

    private RemoteEntry findRemote(InetSocketAddress address) {
        for (RemoteEntry r : remotes) {
            if (r.candidate.address().equals(address)) {
                return r;
            }
        }
        return null;
    }

    /** The candidate a request arriving on {@code base} is for: its host or relay candidate (the pruned pair's local). */
    private LocalEntry localForBase(PacketConn base) {
        LocalEntry any = null;
        for (LocalEntry e : locals) {
            if (e.base != base) {
                continue;
            }
            CandidateType t = e.candidate.type();
            if (t == CandidateType.HOST || t == CandidateType.RELAY) {
                return e;
            }
            if (any == null && t != CandidateType.PEER_REFLEXIVE) {
                any = e;
            }
        }
        return any;
    }

    /** Queues a control message (under the lock); {@link #flush()} sends it once the lock is released. */
    private void sendControl(PacketConn base, InetSocketAddress to, byte[] bytes) {
        if (outBytes.size() >= MAX_OUTBOX) {
            sendErrors.incrementAndGet(); // the sender is stuck on a blocking base: drop, do not pile up
            return;
        }
        outBase.add(base);
        outTo.add(to);
        outBytes.add(bytes);
        outboxSize = outBytes.size();
    }

    /**
     * Sends the outbox, never under the lock: a send that blocks (a TURN allocation over
     * TCP) holds up only this agent's sender, not its lock, its readers or other agents.
     * Only one thread sends at a time; a thread that finds another sending leaves its
     * messages to it (the sender looks again after letting go).
     */
    private void flush() {
        while (outboxSize > 0 && sendLock.tryLock()) {
            try {
                while (true) {
                    PacketConn base;
                    InetSocketAddress to;
                    lock.lock();
                    try {
                        byte[] bytes = outBytes.poll();
                        if (bytes == null || closed) {
                            outBase.clear();
                            outTo.clear();
                            outBytes.clear();
                            outboxSize = 0;
                            break;
                        }
                        base = outBase.poll();
                        to = outTo.poll();
                        outboxSize = outBytes.size();
                        sendBatch.buffer(0).clear().put(bytes).flip();
                    } finally {
                        lock.unlock();
                    }
                    sendBatch.setAddress(0, to);
                    sendBatch.setCount(1);
                    try {
                        base.send(sendBatch);
                    } catch (IOException | RuntimeException e) {
                        sendErrors.incrementAndGet();
                        LOG.log(System.Logger.Level.DEBUG, () -> "ICE send to " + to + " failed: " + e);
                    }
                }
            } finally {
                sendLock.unlock();
            }
        }
    }

    // ---- data (IceConnection) ---------------------------------------------------------------

    int sendData(PacketBatch batch) throws IOException {
        int n = batch.count();
        Route r = route;
        if (r == null) {
            dataDroppedNoRoute.addAndGet(n);
            return n;
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            batch.setAddress(i, r.remoteRaw, 0, r.remoteRaw.length, r.remotePort);
            bytes += batch.buffer(i).remaining();
        }
        int sent = r.base.send(batch);
        long now = clock.nanoTime();
        r.pair.traffic.sentMany(n, bytes, now);
        r.pair.local.traffic.sentMany(n, bytes, now);
        r.pair.remote.traffic.sentMany(n, bytes, now);
        return sent;
    }

    InetSocketAddress dataLocalAddress() {
        Route r = route;
        if (r != null) {
            return r.base.localAddress();
        }
        lock.lock();
        try {
            return locals.isEmpty() ? null : locals.getFirst().base.localAddress();
        } finally {
            lock.unlock();
        }
    }

    InetSocketAddress dataRemoteAddress() {
        Route r = route;
        return r == null ? null : r.remote;
    }

    @Override
    public String toString() {
        return "IceAgent[" + local.ufrag() + ", " + role + ", " + state + "]";
    }
}
