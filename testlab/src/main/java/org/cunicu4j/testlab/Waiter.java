package org.cunicu4j.testlab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline: the only way tests here synchronise. */
public final class Waiter {
    private Waiter() {}

    /**
     * Polls {@code condition} (every 10 ms, backing off to 100 ms) until it holds; throws
     * {@link AssertionError} naming {@code what} when {@code timeout} passes first.
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 10;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(pauseMillis); // a polling interval, not synchronisation: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
            pauseMillis = Math.min(100, pauseMillis * 2);
        }
    }
}
