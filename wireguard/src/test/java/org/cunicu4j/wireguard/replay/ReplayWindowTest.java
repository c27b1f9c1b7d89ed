package org.cunicu4j.wireguard.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final long LIMIT = -1L - (1L << 13); // 2^64 - 2^13 - 1 unsigned

    @Test
    void inOrderAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 0; c < 10_000; c++) {
            assertThat(w.check(c, LIMIT)).as("counter %d", c).isEqualTo(ReplayWindow.ACCEPTED);
        }
        assertThat(w.check(9_999, LIMIT)).isEqualTo(ReplayWindow.REPLAYED);
    }

    @Test
    void reorderedWithinWindowAcceptedDuplicatesRefused() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.check(100, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        assertThat(w.check(50, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        assertThat(w.check(99, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        assertThat(w.check(50, LIMIT)).isEqualTo(ReplayWindow.REPLAYED);
        assertThat(w.check(100, LIMIT)).isEqualTo(ReplayWindow.REPLAYED);
        assertThat(w.check(0, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
    }

    @Test
    void tooOldRefused() {
        ReplayWindow w = new ReplayWindow();
        long top = ReplayWindow.WINDOW_SIZE + 1000L;
        assertThat(w.check(top, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        assertThat(w.check(top - ReplayWindow.WINDOW_SIZE, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        assertThat(w.check(top - ReplayWindow.WINDOW_SIZE - 1, LIMIT)).isEqualTo(ReplayWindow.TOO_OLD);
        assertThat(w.check(0, LIMIT)).isEqualTo(ReplayWindow.TOO_OLD);
    }

    @Test
    void hugeJumpClearsTheWindow() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 0; c < 300; c++) {
            w.check(c, LIMIT);
        }
        long far = 1L << 40;
        assertThat(w.check(far, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        // the bits of old counters in the same ring slots must not mark new ones as seen
        for (long c = far - 200; c < far; c++) {
            assertThat(w.check(c, LIMIT)).as("counter %d", c).isEqualTo(ReplayWindow.ACCEPTED);
        }
        assertThat(w.check(299, LIMIT)).isEqualTo(ReplayWindow.TOO_OLD);
    }

    @Test
    void limitAndUnsignedCounters() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.check(LIMIT, LIMIT)).isEqualTo(ReplayWindow.OVER_LIMIT);
        assertThat(w.check(-1L, LIMIT)).isEqualTo(ReplayWindow.OVER_LIMIT);
        assertThat(w.check(LIMIT - 1, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED); // above 2^63: negative as a long
        assertThat(w.check(LIMIT - 2, LIMIT)).isEqualTo(ReplayWindow.ACCEPTED);
        assertThat(w.check(5, LIMIT)).isEqualTo(ReplayWindow.TOO_OLD);
        assertThat(w.check(10, 10)).isEqualTo(ReplayWindow.OVER_LIMIT);
    }

    /** Seeded property loop against a naive model (a set of seen counters and the maximum). */
    @Test
    void matchesNaiveModel() {
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            ReplayWindow w = new ReplayWindow();
            Set<Long> seen = new HashSet<>();
            long max = -1;
            long base = 0;
            for (int i = 0; i < 20_000; i++) {
                long c;
                switch (rnd.nextInt(10)) {
                    case 0 -> base += rnd.nextInt(20_000); // jump ahead
                    case 1 -> c = 0;
                    default -> { }
                }
                c = Math.max(0, base + rnd.nextInt(ReplayWindow.WINDOW_SIZE + 300) - ReplayWindow.WINDOW_SIZE);
                if (rnd.nextInt(50) == 0 && max >= 0) {
                    c = max; // an exact duplicate of the top
                }
                int expected;
                if (max >= 0 && c <= max && max - c > ReplayWindow.WINDOW_SIZE) {
                    expected = ReplayWindow.TOO_OLD;
                } else if (seen.contains(c)) {
                    expected = ReplayWindow.REPLAYED;
                } else {
                    expected = ReplayWindow.ACCEPTED;
                }
                int got = w.check(c, LIMIT);
                assertThat(got).as("seed %d step %d counter %d max %d", seed, i, c, max).isEqualTo(expected);
                if (got == ReplayWindow.ACCEPTED) {
                    seen.add(c);
                    max = Math.max(max, c);
                }
            }
        }
    }
}
