package org.cunicu4j.daemon.pdisc;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.ice.IceScheduler;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.pdisc.PeerDescriptionChange;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.wireguard.Key;

/**
 * Peer discovery for one WireGuard interface: finds the other members of a community over a
 * signaling backend and keeps them as WireGuard peers through a {@link PeerSink}.
 *
 * <p>Announcing: our {@code PeerDescription} (host name, allowed IPs = our addresses as host
 * prefixes, our derived addresses, our networks; hosts = our name → derived addresses, plus
 * extra hosts) is sealed from the interface key to the community public key: ADD once the
 * subscription is live, ADD again whenever a member we did not know appears (so late joiners
 * learn of us; bursts coalesce), UPDATE with {@code public_key} = old key and
 * {@code public_key_new} = new key when our key changes ({@link #keyChanged}; sealed from the
 * <em>old</em> key, so receivers, cunīcu's included, can check it comes from the key it
 * replaces), and REMOVE on {@link #close}.
 *
 * <p>Receiving: one subscription with the community private key and the wildcard sender.
 * A description must be sealed by the key in its {@code public_key} or, for a key change, by
 * the key in {@code public_key_new} (cunīcu seals its key change from the new key), else it is
 * rejected as forged and counted; one that does not validate ({@link DescriptionCodec}) is
 * counted as malformed; an envelope seen before (sender and nonce) as replayed; all are
 * dropped. Our own descriptions coming back are ignored. Both keys of a key change must pass
 * the {@link KeyFilter}; a key change onto a key another member has or had, or onto ours, is
 * forged. Advertised allowed IPs that cover our addresses or another member's derived
 * address, and default routes unless {@link Settings#allowDefaultRoutes()}, are left out
 * ({@link AllowedIpsScreen}). Then ADD/UPDATE of an unknown key adds it (up to
 * {@link Limits#maxPeers()}), of a known key updates it (when it changed), a key change
 * rotates it (the old peer goes), REMOVE removes it; a description from a key its owner
 * rotated away from is dropped as stale (a late copy) for {@link #RETIRED_FOR} announce
 * intervals.
 *
 * <p>Trust: the community is one trust domain. Every member holds the community private key,
 * so any member can seal an envelope that opens as sent by any other member's key (seal with
 * the community key to the victim's public key and swap sender and recipient), and so describe
 * or remove any member. The check that a description comes from the key it describes only
 * stops outsiders who know the community public key (the topic, visible to the signaling
 * server) from describing others' keys; and because cunīcu seals its key change from the new
 * key, even an outsider can claim any member's key as the old key of its own new one, which
 * displaces that member until its next announcement. Share a community passphrase only with
 * hosts you would give a WireGuard peer anyway; use the whitelist to pin members.
 *
 * <p>Signaling may lose messages ({@link SignalingBackend}: callers retransmit what
 * matters), so we also announce ADD every {@link Timing#announceInterval()} (receivers that
 * know us count it as unchanged), and an ADD or UPDATE the backend refused is retried with
 * exponential backoff until it is taken or superseded. The REMOVE on close is sent once.
 *
 * <p>Ownership and threading: owns its subscription and one virtual thread that handles
 * descriptions and publishes, in order; does not own the backend, the sink or the community
 * key. The sink is only called from that thread. Public methods are thread-safe and do not
 * wait for the network, except {@link #close}, which waits for the REMOVE to be handed to the
 * backend and the worker to finish (at most {@link #CLOSE_WAIT}, then it interrupts the worker
 * and waits at most {@link #SINK_GRACE} more for a sink call in progress). A sink call stuck
 * beyond that may still complete after {@code close} returned, or see an interrupt: the sink
 * must tolerate both (its owner reconciles the interface afterwards).
 */
public final class PeerDiscovery implements AutoCloseable {

    /** How long {@link #close} waits for the REMOVE announcement and the worker thread. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /** How long {@link #close} waits, after interrupting the worker, for a sink call in progress. */
    public static final Duration SINK_GRACE = Duration.ofMillis(500);

    private static final Logger LOG = System.getLogger(PeerDiscovery.class.getName());
    private static final int MAX_RETIRED = 1024;
    /** How many announce intervals a key its owner rotated away from stays retired (late copies are stale). */
    static final int RETIRED_FOR = 2;
    private static final int MAX_OWN_KEYS = 16;
    /** Envelopes remembered (by sender and nonce) to drop replays. */
    static final int REPLAY_CACHE = 8192;
    private static final int LOUD_WARNINGS = 16;
    /** Queue room kept for our own tasks (timers, announcements) beyond the received descriptions. */
    private static final int INTERNAL_RESERVE = 256;

    /**
     * What we advertise and whom we accept.
     *
     * @param community the community private key ({@link CommunityKey#derive}); never printed
     * @param hostname our name in the community (cunīcu's {@code hostname}); empty for none
     * @param addresses the interface's static addresses (cunīcu's {@code addresses}),
     *     advertised as host prefixes
     * @param networks networks reachable through us (cunīcu's {@code networks}), advertised as is
     * @param extraHosts further names to advertise (cunīcu's {@code extra_hosts})
     * @param filter whitelist and blacklist (cunīcu's {@code whitelist}, {@code blacklist})
     * @param allowDefaultRoutes whether a member may advertise {@code 0.0.0.0/0} or {@code ::/0}
     *     (an exit node; cunicu4j's own setting, off by default: it would take all our traffic)
     */
    public record Settings(Key community, String hostname, List<IpPrefix> addresses, List<IpPrefix> networks,
            Map<String, List<InetAddress>> extraHosts, KeyFilter filter, boolean allowDefaultRoutes) {

        /** Without default routes from members. */
        public Settings(Key community, String hostname, List<IpPrefix> addresses, List<IpPrefix> networks,
                Map<String, List<InetAddress>> extraHosts, KeyFilter filter) {
            this(community, hostname, addresses, networks, extraHosts, filter, false);
        }

        public Settings {
            Objects.requireNonNull(community, "community");
            if (community.type() != Key.Type.PRIVATE) {
                throw new IllegalArgumentException("community must be the community's private key, got a "
                        + community.type() + " key");
            }
            hostname = Objects.requireNonNull(hostname, "hostname");
            if (!hostname.isEmpty() && !DescriptionCodec.isHostName(hostname)) {
                throw new IllegalArgumentException("hostname '" + hostname + "' is not a host name (letters, digits,"
                        + " '-', '_' in dot-separated labels)");
            }
            addresses = List.copyOf(addresses);
            networks = List.copyOf(networks);
            Map<String, List<InetAddress>> hosts = new LinkedHashMap<>();
            for (Map.Entry<String, List<InetAddress>> e : extraHosts.entrySet()) {
                if (!DescriptionCodec.isHostName(e.getKey())) {
                    throw new IllegalArgumentException("extra_hosts: '" + e.getKey() + "' is not a host name");
                }
                hosts.put(e.getKey(), List.copyOf(e.getValue()));
            }
            extraHosts = java.util.Collections.unmodifiableMap(hosts);
            Objects.requireNonNull(filter, "filter");
        }

        /** Only a community: no name, addresses, networks or extra hosts; every key accepted. */
        public static Settings of(Key community) {
            return new Settings(community, "", List.of(), List.of(), Map.of(), KeyFilter.ALL);
        }

        @Override
        public String toString() {
            return "Settings[community=" + community.publicKey() + ", hostname=" + hostname + ", addresses=" + addresses
                    + ", networks=" + networks + ", extraHosts=" + extraHosts.keySet() + ", filter=" + filter
                + ", allowDefaultRoutes=" + allowDefaultRoutes + "]";
        }
    }

    /**
     * When we announce beyond the events above.
     *
     * @param announceInterval period of the repeated ADD; zero turns it off
     * @param retryInitial first delay before resending a refused announcement
     * @param retryMax longest delay between resends (the delay doubles up to it)
     */
    public record Timing(Duration announceInterval, Duration retryInitial, Duration retryMax) {

        /** ADD every minute; retries after 1 s, doubling up to 30 s. */
        public static final Timing DEFAULT = new Timing(Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofSeconds(30));

        public Timing {
            if (announceInterval.isNegative()) {
                throw new IllegalArgumentException("announceInterval must not be negative, got " + announceInterval);
            }
            if (retryInitial.isNegative() || retryInitial.isZero() || retryMax.compareTo(retryInitial) < 0) {
                throw new IllegalArgumentException("retries need 0 < retryInitial <= retryMax, got " + retryInitial
                        + " and " + retryMax);
            }
        }
    }

    /**
     * Bounds on what others can make us hold.
     *
     * @param maxPeers most members applied to the sink; descriptions of further new keys are
     *     refused (counted) until one leaves
     * @param queueCapacity most received descriptions waiting for the worker; more are dropped
     *     (counted) and made up for by their senders' periodic announcements
     */
    public record Limits(int maxPeers, int queueCapacity) {

        /** 1024 members, 4096 waiting descriptions. */
        public static final Limits DEFAULT = new Limits(1024, 4096);

        public Limits {
            if (maxPeers < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("limits must be positive, got maxPeers=" + maxPeers
                        + ", queueCapacity=" + queueCapacity);
            }
        }
    }

    /** Our addresses derived from a public key (autocfg: one per configured prefix). */
    @FunctionalInterface
    public interface DerivedAddresses {
        /** None: nothing is derived. */
        DerivedAddresses NONE = publicKey -> List.of();

        /** The addresses that {@code publicKey} derives, in the order of the configured prefixes. */
        List<InetAddress> of(Key publicKey);
    }

    private final String iface;
    private final Settings settings;
    private final Key communityPublic;
    private final SignalingBackend backend;
    private final PeerSink sink;
    private final ThreadPoolExecutor worker;
    private final Limits limits;
    private final DerivedAddresses derived;
    private final IceScheduler timers;
    private final long retiredForNanos;
    private final Counters counters = new Counters();
    private final Map<Key, DiscoveredPeer> peers = new ConcurrentHashMap<>();
    private final Subscription subscription;
    private final Object lifecycle = new Object();
    private volatile boolean closed;

    // worker thread only
    private final Announcer announcer;
    private final Set<Key> ownKeys = new LinkedHashSet<>();
    /** Keys their owners rotated away from, to when they stop being retired (scheduler nanos); oldest first. */
    private final LinkedHashMap<Key, Long> retired = new LinkedHashMap<>();
    private final Map<Seen, Boolean> seen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Seen, Boolean> eldest) {
            return size() > REPLAY_CACHE;
        }
    };

    private final Map<Key, List<InetAddress>> derivedCache = new java.util.HashMap<>();

    /** An envelope we handled: its sender and nonce (unique per sealing). */
    private record Seen(Key sender, com.google.protobuf.ByteString nonce) {}

    private PeerDiscovery(String iface, Key privateKey, Settings settings, SignalingBackend backend, PeerSink sink,
            DerivedAddresses derived, Timing timing, IceScheduler timers, Limits limits) {
        this.iface = Objects.requireNonNull(iface, "iface");
        requirePrivate(privateKey);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.communityPublic = settings.community().publicKey();
        this.backend = Objects.requireNonNull(backend, "backend");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.ownKeys.add(privateKey.publicKey());
        this.limits = Objects.requireNonNull(limits, "limits");
        this.derived = Objects.requireNonNull(derived, "derived");
        this.timers = Objects.requireNonNull(timers, "timers");
        Duration interval = timing.announceInterval().isZero() ? Timing.DEFAULT.announceInterval()
                : timing.announceInterval();
        this.retiredForNanos = RETIRED_FOR * interval.toNanos();
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.queueCapacity() + INTERNAL_RESERVE),
                Thread.ofVirtual().name("pdisc-" + iface + "-", 0).factory());
        this.announcer = new Announcer(iface, privateKey, settings, backend, Objects.requireNonNull(derived, "derived"),
                Objects.requireNonNull(timing, "timing"), Objects.requireNonNull(timers, "timers"), this::execute,
                counters);
        try {
            this.subscription = backend.subscribe(KeyPair.wildcard(settings.community()), this::onMessage);
        } catch (RuntimeException e) {
            worker.shutdownNow();
            throw e;
        }
        subscription.subscribed().whenComplete((ok, error) -> {
            if (error == null) {
                execute(announcer::start);
            } else if (!closed) {
                LOG.log(Level.WARNING, "{0}: peer discovery could not subscribe to the community: {1}", iface,
                        error.getMessage());
            }
        });
    }

    /**
     * Starts peer discovery on {@code iface}: subscribes to the community at once and
     * announces us (ADD) as soon as the subscription is live.
     *
     * @param privateKey the interface's private key (our descriptions are sealed with it; never printed)
     * @param derived our derived addresses (autocfg), or {@link DerivedAddresses#NONE}
     */
    public static PeerDiscovery start(String iface, Key privateKey, Settings settings, SignalingBackend backend,
            PeerSink sink, DerivedAddresses derived) {
        return start(iface, privateKey, settings, backend, sink, derived, Timing.DEFAULT, IceScheduler.system());
    }

    /**
     * As {@link #start(String, Key, Settings, SignalingBackend, PeerSink, DerivedAddresses)}
     * with the repeated and retried announcements timed by {@code timing} on {@code timers}.
     */
    public static PeerDiscovery start(String iface, Key privateKey, Settings settings, SignalingBackend backend,
            PeerSink sink, DerivedAddresses derived, Timing timing, IceScheduler timers) {
        return start(iface, privateKey, settings, backend, sink, derived, timing, timers, Limits.DEFAULT);
    }

    /** As {@link #start(String, Key, Settings, SignalingBackend, PeerSink, DerivedAddresses, Timing, IceScheduler)} within {@code limits}. */
    public static PeerDiscovery start(String iface, Key privateKey, Settings settings, SignalingBackend backend,
            PeerSink sink, DerivedAddresses derived, Timing timing, IceScheduler timers, Limits limits) {
        return new PeerDiscovery(iface, privateKey, settings, backend, sink, derived, timing, timers, limits);
    }

    /** The interface. */
    public String iface() {
        return iface;
    }

    /** The community's public key: the topic our descriptions go to. */
    public Key communityPublicKey() {
        return communityPublic;
    }

    /** Completes when the community subscription is live. */
    public CompletableFuture<Void> subscribed() {
        return subscription.subscribed();
    }

    /** The members currently applied to the sink, by their public key. */
    public Map<Key, DiscoveredPeer> peers() {
        return Map.copyOf(peers);
    }

    /** The counters of this interface's peer discovery. */
    public PeerDiscoveryStats stats() {
        return counters.snapshot();
    }

    /** Announces us again (ADD), e.g. after the signaling connection came back. */
    public void announce() {
        execute(announcer::announceAdd);
    }

    /**
     * Our interface key changed: announces an UPDATE carrying the old public key and the new
     * one, sealed from the old key (our next two announcements repeat
     * it in place of an ADD, in case one is lost), and seals everything else with the new key.
     */
    public void keyChanged(Key newPrivateKey) {
        requirePrivate(newPrivateKey);
        execute(() -> {
            rememberBounded(ownKeys, newPrivateKey.publicKey(), MAX_OWN_KEYS);
            announcer.keyChanged(newPrivateKey);
        });
    }

    /**
     * Announces REMOVE, waits up to {@link #CLOSE_WAIT} for the backend to take it, and stops.
     * Peers applied to the sink stay (the interface's owner decides what becomes of them).
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        subscription.close();
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        CompletableFuture<CompletableFuture<Void>> removal = new CompletableFuture<>();
        try {
            worker.execute(() -> removal.complete(announcer.remove()));
        } catch (RejectedExecutionException e) {
            removal.complete(CompletableFuture.completedFuture(null));
        }
        try {
            removal.thenCompose(f -> f).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "{0}: peer discovery's REMOVE was not sent within {1}", iface, CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // counted and logged by announce
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                worker.shutdownNow();
                // a sink call in progress sees the interrupt; let it finish rather than race the owner
                if (!worker.awaitTermination(SINK_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                    LOG.log(Level.WARNING, "{0}: a peer discovery sink call is still running after close", iface);
                }
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PeerDiscovery[" + iface + ", community=" + communityPublic + ", peers=" + peers.size() + "]";
    }

    // ---- receiving (backend thread hands over, worker thread applies) ----------------------

    private void onMessage(Opened opened) {
        if (closed) {
            return;
        }
        if (worker.getQueue().remainingCapacity() <= INTERNAL_RESERVE) {
            warn(counters.dropped, "{0}: peer discovery is behind: dropped a received description", iface);
            return;
        }
        execute(() -> apply(opened));
    }

    /** Completes once the worker ran everything queued before this call (tests). */
    CompletableFuture<Void> drained() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> done.complete(null));
        return done;
    }

    private void apply(Opened opened) {
        if (closed) {
            return;
        }
        Message m = opened.message();
        if (!m.hasPeer()) {
            counters.ignored.increment();
            return;
        }
        counters.received.increment();
        Key sender = opened.sender();
        if (ownKeys.contains(sender)) {
            counters.own.increment();
            return;
        }
        if (seen.put(new Seen(sender, opened.nonce()), Boolean.TRUE) != null) {
            warn(counters.replayed, "{0}: dropped a replayed peer description from {1}", iface, shortKey(sender));
            return;
        }
        DescriptionCodec.Result result = DescriptionCodec.read(m.getPeer());
        if (result instanceof DescriptionCodec.Malformed bad) {
            warn(counters.malformed, "{0}: dropped a malformed peer description from {1}: {2}", iface,
                    shortKey(sender), bad.reason());
            return;
        }
        DescriptionCodec.Parsed d = (DescriptionCodec.Parsed) result;
        Key newKey = d.newKey();
        // cunīcu seals its key-change UPDATE from the new key, we from the old one: accept both
        boolean sealedByNew = newKey != null && newKey.equals(sender);
        if (!d.key().equals(sender) && !sealedByNew) {
            warn(counters.forged, "{0}: rejected a forged peer description: it describes {1} but was sealed by {2}",
                    iface, shortKey(d.key()), shortKey(sender));
            return;
        }
        if (newKey != null && (ownKeys.contains(newKey) || ownKeys.contains(d.key()))) {
            warn(counters.forged, "{0}: rejected a peer description from {1} that claims our own key", iface,
                    shortKey(sender));
            return;
        }
        if (d.change() != PeerDescriptionChange.REMOVE && (isRetired(d.key()) || sealedByNew
                && isRetired(newKey))) {
            counters.stale.increment();
            return;
        }
        switch (d.change()) {
            case REMOVE -> remove(d.key());
            case ADD, UPDATE -> {
                DiscoveredPeer peer = screen(d.peer(), d.key());
                if (newKey != null) {
                    rotate(d.key(), peer, sealedByNew);
                } else {
                    addOrUpdate(peer);
                }
            }
            default -> counters.ignored.increment();
        }
    }

    /** {@code peer} without the allowed IPs it may not have ({@link AllowedIpsScreen}); {@code oldKey} is its key before a change. */
    private DiscoveredPeer screen(DiscoveredPeer peer, Key oldKey) {
        List<InetAddress> ours = new java.util.ArrayList<>();
        for (IpPrefix a : settings.addresses()) {
            ours.add(a.address());
        }
        for (Key k : ownKeys) {
            ours.addAll(derivedOf(k));
        }
        List<InetAddress> others = new java.util.ArrayList<>();
        for (Key k : peers.keySet()) {
            if (!k.equals(peer.publicKey()) && !k.equals(oldKey)) {
                others.addAll(derivedOf(k));
            }
        }
        List<String> refusals = new java.util.ArrayList<>();
        List<IpPrefix> kept = AllowedIpsScreen.keep(peer.allowedIps(), settings.allowDefaultRoutes(), ours, others,
                refusals);
        if (refusals.isEmpty()) {
            return peer;
        }
        for (String r : refusals) {
            warn(counters.refusedIps, "{0}: left out an allowed IP {1} advertised: {2}", iface,
                    shortKey(peer.publicKey()), r);
        }
        return new DiscoveredPeer(peer.publicKey(), peer.name(), kept, peer.hosts());
    }

    private List<InetAddress> derivedOf(Key publicKey) {
        if (derivedCache.size() > 2 * limits.maxPeers() + MAX_OWN_KEYS) {
            derivedCache.clear();
        }
        return derivedCache.computeIfAbsent(publicKey, derived::of);
    }

    private void addOrUpdate(DiscoveredPeer peer) {
        Key key = peer.publicKey();
        if (!settings.filter().accepts(key)) {
            counters.filtered.increment();
            return;
        }
        DiscoveredPeer known = peers.get(key);
        if (known == null && peers.size() >= limits.maxPeers()) {
            warn(counters.refused, "{0}: refused new peer {1}: already {2} peers", iface, shortKey(key),
                    limits.maxPeers());
        } else if (known == null) {
            if (call(() -> sink.add(peer), "add", key)) {
                peers.put(key, peer);
                counters.added.increment();
                LOG.log(Level.INFO, "{0}: discovered peer {1} ({2})", iface, shortKey(key), peer.name());
                announcer.reannounceSoon();
            }
        } else if (known.equals(peer)) {
            counters.unchanged.increment();
        } else if (call(() -> sink.update(peer), "update", key)) {
            peers.put(key, peer);
            counters.updated.increment();
        }
    }

    /**
     * A key change from {@code oldKey} to {@code peer.publicKey()}, sealed by the old key (ours)
     * or by the new one (cunīcu's).
     *
     * <p>Sealed by the old key: its holder may give it up, but may not take over a key another
     * member has (known), had (retired) or we have: that is counted as forged, the new key is
     * left alone and the old one removed (its holder said it leaves it). The old key is retired.
     *
     * <p>Sealed by the new key: the description of the new key is its owner's, but the claim
     * about the old key cannot be checked (anyone who can publish to the community, outsiders
     * knowing only the community public key included, could claim any member's key as its old
     * one). We follow it, as cunīcu does, but do not retire the old key, so a member displaced
     * this way comes back with its next announcement.
     */
    private void rotate(Key oldKey, DiscoveredPeer peer, boolean sealedByNew) {
        Key newKey = peer.publicKey();
        boolean knewOld = peers.containsKey(oldKey);
        if (!sealedByNew) {
            retire(oldKey);
        }
        if (!settings.filter().accepts(newKey) || !settings.filter().accepts(oldKey)) {
            counters.filtered.increment();
            if (knewOld) {
                remove(oldKey);
            }
            return;
        }
        if (!sealedByNew && (peers.containsKey(newKey) || isRetired(newKey))) {
            warn(counters.forged, "{0}: rejected a key change of {1} to {2}, a key another member has or had",
                    iface, shortKey(oldKey), shortKey(newKey));
            if (knewOld) {
                remove(oldKey);
            }
            return;
        }
        if (!knewOld || peers.containsKey(newKey)) {
            // we never had the old key (late joiner, or it was filtered), or already follow the new one
            if (knewOld) {
                remove(oldKey);
            }
            addOrUpdate(peer);
            return;
        }
        if (call(() -> sink.rotate(oldKey, peer), "rotate", oldKey)) {
            peers.remove(oldKey);
            peers.put(newKey, peer);
            counters.rotated.increment();
            LOG.log(Level.INFO, "{0}: peer {1} changed its key to {2}", iface, shortKey(oldKey), shortKey(newKey));
        }
    }

    private void remove(Key key) {
        if (!peers.containsKey(key)) {
            counters.ignored.increment();
            return;
        }
        if (call(() -> sink.remove(key), "remove", key)) {
            peers.remove(key);
            counters.removed.increment();
            LOG.log(Level.INFO, "{0}: peer {1} left", iface, shortKey(key));
        }
    }

    @FunctionalInterface
    private interface SinkCall {
        void run() throws Exception;
    }

    private boolean call(SinkCall c, String what, Key key) {
        try {
            c.run();
            return true;
        } catch (Exception e) {
            counters.sinkErrors.increment();
            LOG.log(Level.WARNING, iface + ": peer discovery could not " + what + " peer " + shortKey(key), e);
            return false;
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void execute(Runnable task) {
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, iface + ": peer discovery task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            if (!closed && !worker.isShutdown()) {
                warn(counters.dropped, "{0}: peer discovery's queue is full: dropped a task", iface);
            } // else closed: the work is dropped
        }
    }

    private void warn(LongAdder counter, String format, Object... args) {
        counter.increment();
        LOG.log(counter.sum() <= LOUD_WARNINGS ? Level.WARNING : Level.DEBUG, format, args);
    }

    /** Drops descriptions of {@code key} (late copies) for {@link #RETIRED_FOR} announce intervals. */
    private void retire(Key key) {
        long now = timers.nanoTime();
        retired.remove(key);
        retired.put(key, now + retiredForNanos);
        var it = retired.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Long> eldest = it.next();
            if (retired.size() > MAX_RETIRED || eldest.getValue() - now <= 0) {
                it.remove();
            } else {
                break;
            }
        }
    }

    private boolean isRetired(Key key) {
        Long until = retired.get(key);
        if (until == null) {
            return false;
        }
        if (until - timers.nanoTime() <= 0) {
            retired.remove(key);
            return false;
        }
        return true;
    }

    private static <T> void rememberBounded(Set<T> set, T item, int max) {
        set.add(item);
        if (set.size() > max) {
            T first = set.iterator().next();
            set.remove(first);
        }
    }

    private static Key requirePrivate(Key key) {
        Objects.requireNonNull(key, "privateKey");
        if (key.type() != Key.Type.PRIVATE) {
            throw new IllegalArgumentException("the interface key must be a private key, got a " + key.type() + " key");
        }
        return key;
    }

    private static String shortKey(Key publicKey) {
        return publicKey.toBase64().substring(0, 8);
    }
}
