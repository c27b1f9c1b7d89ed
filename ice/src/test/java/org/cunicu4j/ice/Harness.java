package org.cunicu4j.ice;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.cunicu4j.ice.testing.FakeIceScheduler;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.testing.MemoryPacketConn;

/**
 * Two agents on a fake clock over {@code paths} in-memory links (path i joins
 * 10.0.i.1:5000 on A with 10.0.i.2:5000 on B; path 0 has the highest local preference).
 * Time moves only in {@link #step}, which after every 10 ms waits (in real time, with a
 * deadline) until every datagram sent has been handled by its reader.
 */
final class Harness implements AutoCloseable {
    static final Duration STEP = Duration.ofMillis(10);

    final FakeIceScheduler clock = new FakeIceScheduler();
    final AtomicLong inFlight = new AtomicLong();
    final List<GatedConn> aConns = new ArrayList<>();
    final List<GatedConn> bConns = new ArrayList<>();
    final IceAgent a;
    final IceAgent b;
    final Recorder aEvents = new Recorder();
    final Recorder bEvents = new Recorder();

    Harness(IceRole roleA, IceRole roleB, int paths, long seed) {
        this(roleA, roleB, paths, seed, c -> c);
    }

    Harness(IceRole roleA, IceRole roleB, int paths, long seed, UnaryOperator<IceConfig.Builder> tweak) {
        this(roleA, roleB, paths, seed, tweak, null);
    }

    /** @param announceA0 the address A's path-0 candidate announces (its base keeps 10.0.0.1), null for the real one */
    Harness(IceRole roleA, IceRole roleB, int paths, long seed, UnaryOperator<IceConfig.Builder> tweak,
            InetSocketAddress announceA0) {
        List<LocalCandidate> ca = new ArrayList<>();
        List<LocalCandidate> cb = new ArrayList<>();
        for (int i = 0; i < paths; i++) {
            InetSocketAddress addrA = new InetSocketAddress(ip("10.0." + i + ".1"), 5000);
            InetSocketAddress addrB = new InetSocketAddress(ip("10.0." + i + ".2"), 5000);
            MemoryPacketConn[] p = MemoryPacketConn.pair(addrA, addrB);
            GatedConn ga = new GatedConn(p[0], inFlight);
            GatedConn gb = new GatedConn(p[1], inFlight);
            aConns.add(ga);
            bConns.add(gb);
            ca.add(new LocalCandidate(host(i == 0 && announceA0 != null ? announceA0 : addrA, 65535 - 1000 * i), ga));
            cb.add(new LocalCandidate(host(addrB, 65535 - 1000 * i), gb));
        }
        a = IceAgent.create(tweak.apply(IceConfig.builder().scheduler(clock).random(new java.util.Random(seed)))
                .build(), roleA,
                List.of(new StaticGatherer(ca, true)));
        b = IceAgent.create(tweak.apply(IceConfig.builder().scheduler(clock).random(new java.util.Random(seed + 1)))
                .build(), roleB, List.of(new StaticGatherer(cb, true)));
        a.addListener(aEvents);
        b.addListener(bEvents);
    }

    static java.net.InetAddress ip(String s) {
        return java.net.InetAddress.ofLiteral(s);
    }

    static Candidate host(InetSocketAddress addr, int localPreference) {
        return new Candidate(Candidate.foundationOf(CandidateType.HOST, addr.getAddress(), null, null), 1,
                Candidate.priorityOf(CandidateType.HOST, localPreference, 1), addr, CandidateType.HOST, null, null);
    }

    /** Gathers, exchanges credentials and candidates (and end-of-candidates) both ways, starts both. */
    Harness connectAll() {
        a.gather();
        b.gather();
        exchangeCredentials();
        a.localCandidates().forEach(b::addRemoteCandidate);
        b.localCandidates().forEach(a::addRemoteCandidate);
        a.endOfRemoteCandidates();
        b.endOfRemoteCandidates();
        a.start();
        b.start();
        return this;
    }

    void exchangeCredentials() {
        a.setRemoteCredentials(b.localCredentials());
        b.setRemoteCredentials(a.localCredentials());
    }

    /** Moves the fake clock by {@code d} in 10 ms steps, letting every reader catch up after each. */
    void step(Duration d) {
        for (long t = 0; t < d.toNanos(); t += STEP.toNanos()) {
            clock.advance(STEP);
            quiesce();
        }
    }

    /** Steps until {@code cond} holds; fails after {@code max} of fake time. */
    void until(String what, Duration max, BooleanSupplier cond) {
        for (long t = 0; !cond.getAsBoolean(); t += STEP.toNanos()) {
            if (t > max.toNanos()) {
                throw new AssertionError("not within " + max + " of fake time: " + what + "; A " + a.state() + " "
                        + a.pairStats() + " counters " + a.counters() + "; B " + b.state() + " " + b.pairStats()
                        + " counters " + b.counters());
            }
            clock.advance(STEP);
            quiesce();
        }
    }

    /** Waits (real time, 5 s deadline) until no datagram is in flight. */
    void quiesce() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (inFlight.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("datagrams still in flight after 5 s: " + inFlight.get());
            }
            Thread.onSpinWait();
        }
    }

    void blockPath(int i, boolean blocked) {
        aConns.get(i).block(blocked);
        bConns.get(i).block(blocked);
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }

    /** Records listener events, thread-safe. */
    static final class Recorder implements IceListener {
        final List<IceState> states = new CopyOnWriteArrayList<>();
        final List<IceCandidatePair> selected = new CopyOnWriteArrayList<>();
        final List<Candidate> candidates = new CopyOnWriteArrayList<>();
        volatile int done;

        @Override
        public void stateChanged(IceState from, IceState to) {
            states.add(to);
        }

        @Override
        public void selectedPairChanged(IceCandidatePair pair) {
            selected.add(pair);
        }

        @Override
        public void localCandidate(Candidate candidate) {
            candidates.add(candidate);
        }

        @Override
        public void localCandidatesDone() {
            done++;
        }
    }
}
