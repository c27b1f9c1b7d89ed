package org.cunicu4j.daemon.pdisc;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.cunicu4j.ice.IceScheduler;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.proto.BuildInfo;
import org.cunicu4j.signaling.proto.pdisc.PeerDescription;
import org.cunicu4j.signaling.proto.pdisc.PeerDescriptionChange;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.wireguard.Key;

/**
 * The sending half of {@link PeerDiscovery}: our description, sealed to the community, as ADD
 * (on start, coalesced re-announcements, every {@code announceInterval}), as the key-change
 * UPDATE (sealed from the old key, repeated in place of the next ADDs), and as REMOVE, after
 * which nothing is sent. A refused ADD or UPDATE is resent with exponential backoff unless a
 * newer announcement superseded it.
 *
 * <p>Confined to peer discovery's worker thread: every method runs on it, and timers hop back
 * onto it through {@code worker}. Holds the interface's private key (never printed).
 */
final class Announcer {

    /** How many of our announcements after a key change are the key-change UPDATE (signaling may lose one). */
    static final int ROTATION_REPEATS = 3;

    private static final Logger LOG = System.getLogger(Announcer.class.getName());

    private final String iface;
    private final PeerDiscovery.Settings settings;
    private final Key communityPublic;
    private final SignalingBackend backend;
    private final PeerDiscovery.DerivedAddresses derived;
    private final PeerDiscovery.Timing timing;
    private final IceScheduler timers;
    private final Executor worker;
    private final Counters counters;
    private final BuildInfo buildInfo;

    private Key privateKey;
    /** Re-announcements allowed back to back before the rate limit applies. */
    static final int REANNOUNCE_BURST = 3;

    private final long reannounceGapNanos; // sustained: at most one re-announcement per gap
    private long reannounceTat; // GCRA's theoretical arrival time of the next re-announcement
    private boolean reannouncePending;
    private boolean removed; // our REMOVE was sent: nothing is announced after it
    private Key rotatedFrom; // our key before the last change, while its UPDATE is still repeated
    private int rotationRepeats;
    private long generation; // of our announcements: a retry of a superseded one is dropped
    private long retryDelayNanos;
    private IceScheduler.Cancellable periodic;
    private IceScheduler.Cancellable retry;

    Announcer(String iface, Key privateKey, PeerDiscovery.Settings settings, SignalingBackend backend,
            PeerDiscovery.DerivedAddresses derived, PeerDiscovery.Timing timing, IceScheduler timers, Executor worker,
            Counters counters) {
        this.iface = iface;
        this.privateKey = privateKey;
        this.settings = settings;
        this.communityPublic = settings.community().publicKey();
        this.backend = backend;
        this.derived = derived;
        this.timing = timing;
        this.timers = timers;
        this.worker = worker;
        this.counters = counters;
        this.buildInfo = buildInfo();
        this.retryDelayNanos = timing.retryInitial().toNanos();
        this.reannounceGapNanos = Math.max(timing.retryInitial().toNanos(), 1_000_000_000L);
        this.reannounceTat = timers.nanoTime();
    }

    /** The first ADD, and the periodic ones from now on. */
    void start() {
        announceAdd();
        schedulePeriodic();
    }

    /**
     * Announces us: an ADD, or for the first {@link #ROTATION_REPEATS} announcements after a
     * key change the UPDATE that carries the old key (which a member that never knew the old
     * key takes as an ADD).
     */
    void announceAdd() {
        if (rotatedFrom != null) {
            Key old = rotatedFrom;
            if (--rotationRepeats <= 0) {
                rotatedFrom = null;
            }
            announce(PeerDescriptionChange.UPDATE, old.publicKey(), old);
        } else {
            announce(PeerDescriptionChange.ADD, null, privateKey);
        }
    }

    /**
     * A new member appeared: announce us once it is our turn; several in a row make one
     * announcement. Rate-limited on the scheduler's clock: {@link #REANNOUNCE_BURST} back to
     * back, then at most one per {@code max(retryInitial, 1 s)} (new keys cost an attacker
     * nothing, so they must not make us publish at their rate); a deferred one is sent then.
     */
    void reannounceSoon() {
        if (reannouncePending || removed) {
            return;
        }
        reannouncePending = true;
        long now = timers.nanoTime();
        long wait = Math.max(reannounceTat, now) - (REANNOUNCE_BURST - 1) * reannounceGapNanos - now;
        if (wait <= 0) {
            worker.execute(this::reannounceNow);
        } else {
            timers.schedule(() -> worker.execute(this::reannounceNow), wait);
        }
    }

    private void reannounceNow() {
        reannouncePending = false;
        if (removed) {
            return;
        }
        reannounceTat = Math.max(reannounceTat, timers.nanoTime()) + reannounceGapNanos;
        announceAdd();
    }

    /**
     * Our key is {@code newPrivateKey} now: announces the key change.
     *
     * @return false when it is the key we had
     */
    boolean keyChanged(Key newPrivateKey) {
        Key old = privateKey;
        if (old.equals(newPrivateKey)) {
            return false;
        }
        privateKey = newPrivateKey;
        rotatedFrom = old;
        rotationRepeats = ROTATION_REPEATS;
        announceAdd();
        return true;
    }

    /**
     * Our REMOVE (and one for our previous key while its key change is still being repeated,
     * for members that missed it); stops every timer. Completes when the backend took them.
     */
    CompletableFuture<Void> remove() {
        cancelTimers();
        CompletableFuture<Void> sent = announce(PeerDescriptionChange.REMOVE, null, privateKey);
        if (rotatedFrom != null) {
            PeerDescription d = DescriptionCodec.write(PeerDescriptionChange.REMOVE,
                    describeSelf(rotatedFrom.publicKey()), null, buildInfo);
            sent = CompletableFuture.allOf(sent, publish(d, rotatedFrom, PeerDescriptionChange.REMOVE));
            rotatedFrom = null;
        }
        return sent;
    }

    /** Our description for {@code publicKey}, without the change. */
    DiscoveredPeer describeSelf(Key publicKey) {
        List<InetAddress> ours = derived.of(publicKey);
        List<IpPrefix> allowed = new ArrayList<>();
        for (IpPrefix a : settings.addresses()) {
            allowed.add(hostPrefix(a.address()));
        }
        for (InetAddress a : ours) {
            allowed.add(hostPrefix(a));
        }
        allowed.addAll(settings.networks());
        Map<String, List<InetAddress>> hosts = new LinkedHashMap<>(settings.extraHosts());
        if (!settings.hostname().isEmpty()) {
            hosts.put(settings.hostname(), ours);
        }
        return new DiscoveredPeer(publicKey, settings.hostname(), allowed, hosts);
    }

    private void schedulePeriodic() {
        if (timing.announceInterval().isZero() || removed) {
            return;
        }
        periodic = timers.schedule(() -> worker.execute(() -> {
            if (!removed) {
                announceAdd();
                schedulePeriodic();
            }
        }), timing.announceInterval().toNanos());
    }

    private void cancelTimers() {
        if (periodic != null) {
            periodic.cancel();
        }
        if (retry != null) {
            retry.cancel();
        }
    }

    /** Publishes our description sealed from {@code sealWith}; the future completes when the backend took it. */
    private CompletableFuture<Void> announce(PeerDescriptionChange change, Key oldPublic, Key sealWith) {
        if (removed) {
            // closing: a task queued behind the REMOVE (a re-announcement) must not resurrect us
            return CompletableFuture.completedFuture(null);
        }
        removed = change == PeerDescriptionChange.REMOVE;
        long gen = ++generation;
        if (retry != null) {
            retry.cancel(); // superseded: this announcement carries our latest state
            retry = null;
        }
        PeerDescription d = DescriptionCodec.write(change, describeSelf(privateKey.publicKey()), oldPublic, buildInfo);
        return publish(d, sealWith, change).whenComplete((ok, error) -> {
            if (change == PeerDescriptionChange.REMOVE) {
                return;
            }
            worker.execute(() -> {
                if (error != null) {
                    scheduleRetry(gen, change, oldPublic, sealWith);
                } else if (gen == generation) {
                    retryDelayNanos = timing.retryInitial().toNanos();
                }
            });
        });
    }

    private CompletableFuture<Void> publish(PeerDescription d, Key sealWith, PeerDescriptionChange change) {
        CompletableFuture<Void> sent;
        try {
            sent = backend.publish(Message.newBuilder().setPeer(d).build(), KeyPair.of(sealWith, communityPublic));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        counters.announced.increment();
        return sent.whenComplete((ok, error) -> {
            if (error != null) {
                counters.publishErrors.increment();
                LOG.log(Level.WARNING, "{0}: could not announce {1} to the community: {2}", iface, change,
                        error.getMessage());
            }
        });
    }

    private void scheduleRetry(long gen, PeerDescriptionChange change, Key oldPublic, Key sealWith) {
        if (removed || gen != generation) {
            return;
        }
        long delay = retryDelayNanos;
        retryDelayNanos = Math.min(timing.retryMax().toNanos(), delay * 2);
        retry = timers.schedule(() -> worker.execute(() -> {
            if (!removed && gen == generation) {
                announce(change, oldPublic, sealWith);
            }
        }), delay);
    }

    private static IpPrefix hostPrefix(InetAddress a) {
        return new IpPrefix(a, a instanceof Inet4Address ? 32 : 128);
    }

    private static BuildInfo buildInfo() {
        String version = PeerDiscovery.class.getPackage().getImplementationVersion();
        return BuildInfo.newBuilder()
                .setVersion("cunicu4j " + (version == null ? "dev" : version))
                .setOs(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT))
                .setArch(System.getProperty("os.arch", ""))
                .build();
    }
}
