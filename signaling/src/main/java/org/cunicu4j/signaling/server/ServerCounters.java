package org.cunicu4j.signaling.server;

import java.util.concurrent.atomic.LongAdder;

/** The server's running totals; thread-safe, written on every publish and delivery. */
final class ServerCounters {
    final LongAdder published = new LongAdder();
    final LongAdder unrouted = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder subscribes = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder refused = new LongAdder();
}
