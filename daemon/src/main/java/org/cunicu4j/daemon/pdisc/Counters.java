package org.cunicu4j.daemon.pdisc;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link PeerDiscoveryStats}. Thread-safe. */
final class Counters {
    final LongAdder received = new LongAdder();
    final LongAdder own = new LongAdder();
    final LongAdder added = new LongAdder();
    final LongAdder updated = new LongAdder();
    final LongAdder unchanged = new LongAdder();
    final LongAdder rotated = new LongAdder();
    final LongAdder removed = new LongAdder();
    final LongAdder filtered = new LongAdder();
    final LongAdder forged = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder stale = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder refusedIps = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder ignored = new LongAdder();
    final LongAdder announced = new LongAdder();
    final LongAdder publishErrors = new LongAdder();
    final LongAdder sinkErrors = new LongAdder();

    PeerDiscoveryStats snapshot() {
        return new PeerDiscoveryStats(received.sum(), own.sum(), added.sum(), updated.sum(), unchanged.sum(),
                rotated.sum(), removed.sum(), filtered.sum(), forged.sum(), malformed.sum(), stale.sum(),
                replayed.sum(), refused.sum(), refusedIps.sum(),
                dropped.sum(), ignored.sum(), announced.sum(), publishErrors.sum(), sinkErrors.sum());
    }
}
