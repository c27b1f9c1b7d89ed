package org.cunicu4j.testlab;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a blocking call on its own thread and waits until that thread sits in
 * {@code WakeableFd.await} (the {@code poll} of module linux, named here by its class and
 * method so that testlab depends on nothing of ours), so that a test can then wake it,
 * e.g. by closing, and observe the outcome.
 */
public final class BlockedCall {
    /** A call that may throw anything. */
    public interface Call {
        void run() throws Exception;
    }

    private final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    private final Thread thread;

    private BlockedCall(Call call) {
        thread = Thread.ofPlatform().name("blocked-call").daemon().start(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
    }

    /** Starts {@code call} and returns once it blocks in poll. */
    public static BlockedCall start(Call call) {
        BlockedCall c = new BlockedCall(call);
        Waiter.until("the call blocks in WakeableFd.await", Duration.ofSeconds(5), () -> c.outcome.isDone()
                || Arrays.stream(c.thread.getStackTrace()).anyMatch(f ->
                        f.getClassName().endsWith("WakeableFd") && f.getMethodName().equals("await")));
        return c;
    }

    /** What the call threw (null if it returned), waiting at most {@code timeout}. */
    public Throwable outcome(Duration timeout) throws Exception {
        return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isDone() {
        return outcome.isDone();
    }
}
