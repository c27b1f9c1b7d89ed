package org.cunicu4j.daemon.epdisc;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceScheduler;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.wireguard.Key;

/**
 * Endpoint discovery for one WireGuard interface: one ICE session per peer
 * ({@link #addPeer}), brought together over signaling.
 *
 * <p>Signaling: one subscription to our public key with the wildcard sender; each opened
 * message goes by its sender to that peer's session. A message from a key that is not one
 * of our peers is ignored and counted ({@link EndpointDiscoveryStats#unknownSender()}; the
 * first from each such key is logged and reported as a {@link DaemonEvent.Type#SIGNALING}
 * event); a message with invalid credentials or candidate is dropped and counted
 * ({@code malformed}). The session's behaviour (credentials with backoff, trickle, role,
 * restarts, states) is described on {@link PeerSession}.
 *
 * <p>Ownership and threading: owns the subscription and the sessions (each session owns
 * its ICE agent, made from {@code sharing}'s gatherers, and the {@link org.cunicu4j.proxy.PeerProxy}
 * from {@code sharing.attach}); does not own the backend or the port sharing. Thread-safe.
 * Each session works on a serial executor of its own (a virtual thread); the signaling
 * thread only hands messages over. {@code events} is called from the sessions' threads,
 * one event at a time per session; it must return quickly.
 */
public final class EndpointDiscovery implements AutoCloseable {

    private static final Logger LOG = System.getLogger(EndpointDiscovery.class.getName());
    private static final int MAX_REMEMBERED_UNKNOWN = 256;

    private final String iface;
    private final Key privateKey;
    private final Key publicKey;
    private final SignalingBackend backend;
    private final PortSharing sharing;
    private final GatherSettings settings;
    private final IceConfig iceConfig;
    private final Consumer<DaemonEvent> events;
    private final IceScheduler timers;
    private final RandomGenerator random;
    private final InstantSource wallClock;
    private final Counters counters = new Counters();
    private final Map<Key, PeerSession> sessions = new ConcurrentHashMap<>();
    private final Set<Key> unknownSeen = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final Subscription subscription;
    private volatile boolean closed;

    private EndpointDiscovery(String iface, Key privateKey, SignalingBackend backend, PortSharing sharing,
            GatherSettings settings, IceConfig iceConfig, Consumer<DaemonEvent> events, IceScheduler timers,
            RandomGenerator random, InstantSource wallClock) {
        this.iface = Objects.requireNonNull(iface, "iface");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        if (privateKey.type() != Key.Type.PRIVATE) {
            throw new IllegalArgumentException("the interface key must be a private key, got a " + privateKey.type()
                    + " key");
        }
        this.publicKey = privateKey.publicKey();
        this.backend = Objects.requireNonNull(backend, "backend");
        this.sharing = Objects.requireNonNull(sharing, "sharing");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.iceConfig = Objects.requireNonNull(iceConfig, "iceConfig");
        this.events = Objects.requireNonNull(events, "events");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.random = Objects.requireNonNull(random, "random");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.subscription = backend.subscribe(KeyPair.wildcard(privateKey), this::onMessage);
    }

    /**
     * Starts endpoint discovery on {@code iface}: subscribes at once; peers come with
     * {@link #addPeer}. Backoff timers run on {@code iceConfig.scheduler()}.
     *
     * @param privateKey the interface's private key (signaling seals with it; never printed)
     * @param events where state changes, pair changes and restarts are reported
     */
    public static EndpointDiscovery open(String iface, Key privateKey, SignalingBackend backend, PortSharing sharing,
            GatherSettings settings, IceConfig iceConfig, Consumer<DaemonEvent> events) {
        return open(iface, privateKey, backend, sharing, settings, iceConfig, events, iceConfig.scheduler(),
                new SecureRandom(), InstantSource.system());
    }

    /**
     * As {@link #open(String, Key, SignalingBackend, PortSharing, GatherSettings, IceConfig, Consumer)}
     * with the credentials backoff on {@code timers} and {@code random}, and event times from
     * {@code wallClock} (for tests).
     */
    public static EndpointDiscovery open(String iface, Key privateKey, SignalingBackend backend, PortSharing sharing,
            GatherSettings settings, IceConfig iceConfig, Consumer<DaemonEvent> events, IceScheduler timers,
            RandomGenerator random, InstantSource wallClock) {
        return new EndpointDiscovery(iface, privateKey, backend, sharing, settings, iceConfig, events, timers, random,
                wallClock);
    }

    /** The interface. */
    public String iface() {
        return iface;
    }

    /** The interface's public key. */
    public Key publicKey() {
        return publicKey;
    }

    /** Completes when the signaling subscription is live (see {@link Subscription#subscribed()}). */
    public CompletableFuture<Void> subscribed() {
        return subscription.subscribed();
    }

    /**
     * Starts a session with {@code peer} (or renames an existing one).
     *
     * @param name the peer's name from the configuration, or null
     * @return true when a session was started, false when one existed
     * @throws IllegalArgumentException when {@code peer} is not a public key or is our own
     * @throws IllegalStateException when closed
     */
    public boolean addPeer(Key peer, String name) {
        Objects.requireNonNull(peer, "peer");
        if (peer.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("a peer is named by its public key, got a " + peer.type() + " key");
        }
        if (peer.equals(publicKey)) {
            throw new IllegalArgumentException("peer " + peer + " is this interface's own key");
        }
        synchronized (sessions) {
            if (closed) {
                throw new IllegalStateException("endpoint discovery on " + iface + " is closed");
            }
            PeerSession existing = sessions.get(peer);
            if (existing != null) {
                existing.rename(name);
                return false;
            }
            PeerSession s = new PeerSession(this, peer, name);
            sessions.put(peer, s);
            s.start();
            return true;
        }
    }

    /** Tears {@code peer}'s session down (agent and proxy closed); false when there was none. */
    public boolean removePeer(Key peer) {
        PeerSession s;
        synchronized (sessions) {
            s = sessions.remove(peer);
        }
        if (s == null) {
            return false;
        }
        s.close();
        return true;
    }

    /**
     * Makes the sessions match {@code peers} (public key → name, the name may be null): starts
     * the missing ones, renames the existing ones, tears down those not in the map. For a
     * watcher that diffs the device's peers.
     *
     * @return how many sessions were started and removed, as {@code [started, removed]}
     */
    public int[] syncPeers(Map<Key, String> peers) {
        Objects.requireNonNull(peers, "peers");
        int removed = 0;
        for (Key k : List.copyOf(sessions.keySet())) {
            if (!peers.containsKey(k) && removePeer(k)) {
                removed++;
            }
        }
        int started = 0;
        for (Map.Entry<Key, String> e : peers.entrySet()) {
            if (addPeer(e.getKey(), e.getValue())) {
                started++;
            }
        }
        return new int[] {started, removed};
    }

    /** Restarts {@code peer}'s ICE session (new credentials, sent to the peer); false when there is none. */
    public boolean restartPeer(Key peer) {
        PeerSession s = sessions.get(peer);
        if (s == null) {
            return false;
        }
        s.requestRestart("restart requested");
        return true;
    }

    /** The peers with a session. */
    public Set<Key> peers() {
        return Set.copyOf(sessions.keySet());
    }

    /**
     * The ICE side of every session, ordered by name then key: state, proxy mode and reason,
     * selected pair, RTT, restarts, last error. WireGuard counters are 0 and the handshake and
     * endpoint null: the daemon joins them in.
     */
    public List<PeerSessionStatus> status() {
        List<PeerSession> all = new ArrayList<>(sessions.values());
        all.sort(Comparator.comparing((PeerSession s) -> s.name() == null ? "" : s.name())
                .thenComparing(s -> s.peer().toBase64()));
        List<PeerSessionStatus> out = new ArrayList<>(all.size());
        for (PeerSession s : all) {
            out.add(s.status());
        }
        return out;
    }

    /** The status of {@code peer}'s session, if there is one. */
    public Optional<PeerSessionStatus> status(Key peer) {
        PeerSession s = sessions.get(peer);
        return s == null ? Optional.empty() : Optional.of(s.status());
    }

    /** The signaling counters of this interface. */
    public EndpointDiscoveryStats stats() {
        return counters.snapshot();
    }

    /** Closes the subscription and every session; idempotent. */
    @Override
    public void close() {
        List<PeerSession> all;
        synchronized (sessions) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(sessions.values());
            sessions.clear();
        }
        subscription.close();
        for (PeerSession s : all) {
            s.close();
        }
    }

    // ---- signaling input (backend thread: never blocks) -----------------------------------

    private void onMessage(Opened opened) {
        if (closed) {
            return;
        }
        Key sender = opened.sender();
        PeerSession s = sessions.get(sender);
        if (s == null) {
            counters.unknownSender.increment();
            if (unknownSeen.size() < MAX_REMEMBERED_UNKNOWN && unknownSeen.add(sender)) {
                LOG.log(Level.INFO, "{0}: ignoring signaling from {1}: not a peer of this interface", iface,
                        Keys.shortKey(sender));
                emit(new DaemonEvent(wallClock.instant(), DaemonEvent.Type.SIGNALING, iface, sender, null, null,
                        "ignored a signaling message from " + Keys.shortKey(sender) + ", which is not a peer of "
                                + iface + " (further ones are only counted)"));
            }
            return;
        }
        Message m = opened.message();
        if (!m.hasCredentials() && !m.hasCandidate()) {
            counters.ignored.increment();
            return;
        }
        s.onMessage(m);
    }

    // ---- for sessions -----------------------------------------------------------------

    String ifaceName() {
        return iface;
    }

    Key privateKey() {
        return privateKey;
    }

    SignalingBackend backend() {
        return backend;
    }

    PortSharing sharing() {
        return sharing;
    }

    GatherSettings settings() {
        return settings;
    }

    IceConfig iceConfig() {
        return iceConfig;
    }

    IceScheduler timers() {
        return timers;
    }

    RandomGenerator random() {
        return random;
    }

    InstantSource wallClock() {
        return wallClock;
    }

    /** {@code peer}'s session, or null (for tests). */
    PeerSession session(Key peer) {
        return sessions.get(peer);
    }

    Counters counters() {
        return counters;
    }

    void emit(DaemonEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, iface + ": event listener failed on " + e.type(), ex);
        }
    }
}
