package org.cunicu4j.ice;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * An agent's settings. Immutable; made with {@link #builder()} or {@link #defaults()}.
 *
 * @param checkInterval Ta: one connectivity check (ordinary or triggered) per interval; also the agent's tick
 * @param disconnectedTimeout no consent response on the selected pair for this long: DISCONNECTED
 * @param failedTimeout no consent response for this long (or no valid pair this long after checks began): FAILED
 * @param keepaliveInterval a binding indication goes on the selected pair when nothing was sent for this long
 * @param consentInterval mean interval of consent-freshness binding requests (RFC 7675; each one is
 *     randomised to 0.8..1.2 of this). Must be below {@code disconnectedTimeout}; the agent sends
 *     them at most a quarter of {@code disconnectedTimeout} apart, so that at least three go out per
 *     disconnected timeout and two lost datagrams do not disconnect (RFC 7675 §5.1 allows more often)
 * @param candidateTypes the local candidate types the agent uses; others from its gatherers are ignored
 * @param nominationWait the controlling agent nominates its best valid pair at once when no
 *     higher-priority pair is still being checked, else after waiting this long from the first valid pair
 *     (regular nomination, RFC 8445 §8.1.1); while a higher-priority pair is still being checked, a pair
 *     also waits out its acceptance wait ({@code srflxAcceptanceWait}, {@code relayAcceptanceWait})
 * @param srflxAcceptanceWait while a higher-priority pair is still being checked, the controlling agent
 *     nominates a valid pair involving a server- or peer-reflexive candidate (and no relayed one) only
 *     this long after its first check went out (default 500 ms: a NAT drops the first checks until the
 *     other side has sent, so a better pair may validate a little later); host-host pairs wait 0
 * @param relayAcceptanceWait the same for a pair involving a relayed candidate (default 2 s), so a
 *     direct pair that validates a few hundred ms after a relayed one is nominated instead
 * @param maxCheckTransmissions transmissions of one check before its pair fails (RFC 8489 Rc)
 * @param maxRto upper bound of a check's doubling retransmission timeout (keeps a dead pair's
 *     failure within a few seconds instead of RFC 8489's 39.5 s)
 * @param maxPairs check list limit (RFC 8445 §6.1.2.5): lowest-priority pairs beyond it are dropped
 * @param component the component ID of this agent's candidates (1: one data stream)
 * @param scheduler clock and timers
 * @param listenerExecutor where listeners run (serially, in order); null: a virtual thread per agent.
 *     It must not run tasks on the submitting thread (that may hold the agent's lock)
 * @param random source of credentials, tie-breaker and consent jitter ({@link SecureRandom} by default)
 * @param receiveBufferSize bytes per datagram slot the readers receive into (and the largest data
 *     datagram {@link IceConnection} delivers)
 */
public record IceConfig(
        Duration checkInterval,
        Duration disconnectedTimeout,
        Duration failedTimeout,
        Duration keepaliveInterval,
        Duration consentInterval,
        Set<CandidateType> candidateTypes,
        Duration nominationWait,
        Duration srflxAcceptanceWait,
        Duration relayAcceptanceWait,
        int maxCheckTransmissions,
        Duration maxRto,
        int maxPairs,
        int component,
        IceScheduler scheduler,
        Executor listenerExecutor,
        RandomGenerator random,
        int receiveBufferSize) {

    public IceConfig {
        positive(checkInterval, "checkInterval");
        positive(disconnectedTimeout, "disconnectedTimeout");
        positive(failedTimeout, "failedTimeout");
        positive(keepaliveInterval, "keepaliveInterval");
        positive(consentInterval, "consentInterval");
        positive(maxRto, "maxRto");
        notNegative(nominationWait, "nominationWait");
        notNegative(srflxAcceptanceWait, "srflxAcceptanceWait");
        notNegative(relayAcceptanceWait, "relayAcceptanceWait");
        if (consentInterval.compareTo(disconnectedTimeout) >= 0) {
            throw new IllegalArgumentException("consentInterval " + consentInterval
                    + " must be shorter than disconnectedTimeout " + disconnectedTimeout
                    + ": every consent request would come too late");
        }
        if (failedTimeout.compareTo(disconnectedTimeout) < 0) {
            throw new IllegalArgumentException("failedTimeout " + failedTimeout + " is shorter than disconnectedTimeout "
                    + disconnectedTimeout);
        }
        candidateTypes = Set.copyOf(Objects.requireNonNull(candidateTypes, "candidateTypes"));
        if (candidateTypes.isEmpty()) {
            throw new IllegalArgumentException("candidateTypes is empty: the agent could use no local candidate");
        }
        if (maxCheckTransmissions < 1) {
            throw new IllegalArgumentException("maxCheckTransmissions must be at least 1, got " + maxCheckTransmissions);
        }
        if (maxPairs < 1) {
            throw new IllegalArgumentException("maxPairs must be at least 1, got " + maxPairs);
        }
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("component " + component + " is out of range 1..256");
        }
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(random, "random");
        if (receiveBufferSize < 576 || receiveBufferSize > 65535) {
            throw new IllegalArgumentException("receiveBufferSize must be 576..65535, got " + receiveBufferSize);
        }
    }

    private static void notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    public static IceConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.checkInterval = checkInterval;
        b.disconnectedTimeout = disconnectedTimeout;
        b.failedTimeout = failedTimeout;
        b.keepaliveInterval = keepaliveInterval;
        b.consentInterval = consentInterval;
        b.candidateTypes = EnumSet.copyOf(candidateTypes);
        b.nominationWait = nominationWait;
        b.srflxAcceptanceWait = srflxAcceptanceWait;
        b.relayAcceptanceWait = relayAcceptanceWait;
        b.maxCheckTransmissions = maxCheckTransmissions;
        b.maxRto = maxRto;
        b.maxPairs = maxPairs;
        b.component = component;
        b.scheduler = scheduler;
        b.listenerExecutor = listenerExecutor;
        b.random = random;
        b.receiveBufferSize = receiveBufferSize;
        return b;
    }

    /** Builds an {@link IceConfig}; starts from the defaults. Not thread-safe. */
    public static final class Builder {
        private Duration checkInterval = Duration.ofMillis(200);
        private Duration disconnectedTimeout = Duration.ofSeconds(5);
        private Duration failedTimeout = Duration.ofSeconds(25);
        private Duration keepaliveInterval = Duration.ofSeconds(2);
        private Duration consentInterval = Duration.ofSeconds(2);
        private Set<CandidateType> candidateTypes = EnumSet.allOf(CandidateType.class);
        private Duration nominationWait = Duration.ofMillis(400);
        private Duration srflxAcceptanceWait = Duration.ofMillis(500);
        private Duration relayAcceptanceWait = Duration.ofSeconds(2);
        private int maxCheckTransmissions = 7;
        private Duration maxRto = Duration.ofMillis(1600);
        private int maxPairs = 100;
        private int component = 1;
        private IceScheduler scheduler = IceScheduler.system();
        private Executor listenerExecutor;
        private RandomGenerator random = new SecureRandom();
        private int receiveBufferSize = 8192;

        private Builder() {}

        public Builder checkInterval(Duration v) { checkInterval = v; return this; }
        public Builder disconnectedTimeout(Duration v) { disconnectedTimeout = v; return this; }
        public Builder failedTimeout(Duration v) { failedTimeout = v; return this; }
        public Builder keepaliveInterval(Duration v) { keepaliveInterval = v; return this; }
        public Builder consentInterval(Duration v) { consentInterval = v; return this; }
        public Builder candidateTypes(Set<CandidateType> v) { candidateTypes = v; return this; }
        public Builder nominationWait(Duration v) { nominationWait = v; return this; }
        public Builder srflxAcceptanceWait(Duration v) { srflxAcceptanceWait = v; return this; }
        public Builder relayAcceptanceWait(Duration v) { relayAcceptanceWait = v; return this; }
        public Builder maxCheckTransmissions(int v) { maxCheckTransmissions = v; return this; }
        public Builder maxRto(Duration v) { maxRto = v; return this; }
        public Builder maxPairs(int v) { maxPairs = v; return this; }
        public Builder component(int v) { component = v; return this; }
        public Builder scheduler(IceScheduler v) { scheduler = v; return this; }
        public Builder listenerExecutor(Executor v) { listenerExecutor = v; return this; }
        public Builder random(RandomGenerator v) { random = v; return this; }
        public Builder receiveBufferSize(int v) { receiveBufferSize = v; return this; }

        public IceConfig build() {
            return new IceConfig(checkInterval, disconnectedTimeout, failedTimeout, keepaliveInterval, consentInterval,
                    candidateTypes, nominationWait, srflxAcceptanceWait, relayAcceptanceWait, maxCheckTransmissions, maxRto, maxPairs, component, scheduler, listenerExecutor,
                    random, receiveBufferSize);
        }
    }
}
