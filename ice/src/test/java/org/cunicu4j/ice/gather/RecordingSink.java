package org.cunicu4j.ice.gather;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;

/** A sink that records what a gatherer reports, and counts done. */
final class RecordingSink implements Gatherer.Sink {
    record Failure(String source, Exception cause) {}

    final List<LocalCandidate> candidates = new CopyOnWriteArrayList<>();
    final List<Failure> failures = new CopyOnWriteArrayList<>();
    final AtomicInteger dones = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void candidate(LocalCandidate candidate) {
        if (dones.get() > 0) {
            throw new AssertionError("candidate after done: " + candidate);
        }
        candidates.add(candidate);
    }

    @Override
    public void failed(String source, Exception cause) {
        failures.add(new Failure(source, cause));
    }

    @Override
    public void done() {
        dones.incrementAndGet();
        done.countDown();
    }

    RecordingSink await(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("gathering not done within " + timeout + "; so far " + candidates
                    + ", failures " + failures);
        }
        return this;
    }

    List<LocalCandidate> ofType(CandidateType type) {
        return candidates.stream().filter(c -> c.candidate().type() == type).toList();
    }
}
