package org.cunicu4j.daemon.epdisc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class CredentialsBackoffTest {

    @Test
    void withoutJitterTheDelaysGrowByHalfUpToOneMinute() {
        CredentialsBackoff b = new CredentialsBackoff(() -> Long.MIN_VALUE); // nextDouble() == 0.5
        assertThat(b.next()).isEqualTo(Duration.ofMillis(500));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(750));
        assertThat(b.next()).isEqualTo(Duration.ofNanos(1_125_000_000));
        Duration last = Duration.ZERO;
        for (int i = 0; i < 30; i++) {
            last = b.next();
        }
        assertThat(last).isEqualTo(Duration.ofMinutes(1));
        b.reset();
        assertThat(b.next()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void jitterStaysWithinHalfEitherWayAndTheCapHolds() {
        long seed = new Random().nextLong();
        RandomGenerator random = new Random(seed);
        for (int run = 0; run < 200; run++) {
            CredentialsBackoff b = new CredentialsBackoff(random);
            double nominal = 0.5;
            for (int attempt = 0; attempt < 25; attempt++) {
                double seconds = b.next().toNanos() / 1e9;
                double n = Math.min(nominal, 60);
                assertThat(seconds).as("seed %d run %d attempt %d", seed, run, attempt)
                        .isBetween(n * 0.5 - 1e-9, Math.min(n * 1.5, 60) + 1e-9);
                nominal *= 1.5;
            }
        }
    }

    @Test
    void extremesOfTheRandomGiveTheBounds() {
        CredentialsBackoff low = new CredentialsBackoff(() -> 0L); // nextDouble() == 0
        CredentialsBackoff high = new CredentialsBackoff(() -> -1L); // nextDouble() just below 1
        assertThat(low.next()).isEqualTo(Duration.ofMillis(250));
        assertThat(high.next()).isGreaterThan(Duration.ofMillis(749)).isLessThanOrEqualTo(Duration.ofMillis(750));
        for (int i = 0; i < 20; i++) {
            low.next();
            high.next();
        }
        assertThat(low.next()).isEqualTo(Duration.ofSeconds(30));
        assertThat(high.next()).isEqualTo(Duration.ofMinutes(1));
    }
}
