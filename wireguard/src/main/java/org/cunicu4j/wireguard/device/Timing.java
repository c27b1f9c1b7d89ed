package org.cunicu4j.wireguard.device;

import java.time.Duration;

/**
 * The protocol's time and message limits (WireGuard paper §6.1, wireguard-go
 * {@code constants.go}). {@link #DEFAULT} is the specification; tests and the lab shorten
 * them (a forced rekey) with {@link #withRekeyAfterTime} and friends. Immutable.
 *
 * @param rekeyAfterMessages the initiator starts a new handshake after this many messages on a keypair
 * @param rejectAfterMessages a keypair is not used after this many messages
 * @param rekeyAfterTime the initiator starts a new handshake when its keypair is this old (120 s)
 * @param rejectAfterTime a keypair is not used when this old (180 s); key material is zeroed after three times this
 * @param rekeyAttemptTime handshake retries give up after this long (90 s)
 * @param rekeyTimeout an unanswered initiation is retried after this, plus up to 333 ms jitter (5 s)
 * @param keepaliveTimeout a keepalive follows a received packet when nothing was sent for this long (10 s)
 * @param cookieRefreshTime the cookie secret rotates and a received cookie expires after this (120 s)
 * @param handshakeInitiationRate a peer's initiations closer together than this are dropped (20 ms)
 * @param timerTick how often the timer loop runs
 */
public record Timing(
        long rekeyAfterMessages,
        long rejectAfterMessages,
        Duration rekeyAfterTime,
        Duration rejectAfterTime,
        Duration rekeyAttemptTime,
        Duration rekeyTimeout,
        Duration keepaliveTimeout,
        Duration cookieRefreshTime,
        Duration handshakeInitiationRate,
        Duration timerTick) {

    /** The values of the specification. */
    public static final Timing DEFAULT = new Timing(
            1L << 60,
            -1L - (1L << 13), // 2^64 - 2^13 - 1, unsigned
            Duration.ofSeconds(120),
            Duration.ofSeconds(180),
            Duration.ofSeconds(90),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(120),
            Duration.ofMillis(20),
            Duration.ofMillis(50));

    public Timing withRekeyAfterTime(Duration d) {
        return new Timing(rekeyAfterMessages, rejectAfterMessages, d, rejectAfterTime, rekeyAttemptTime, rekeyTimeout,
                keepaliveTimeout, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    public Timing withRejectAfterTime(Duration d) {
        return new Timing(rekeyAfterMessages, rejectAfterMessages, rekeyAfterTime, d, rekeyAttemptTime, rekeyTimeout,
                keepaliveTimeout, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    public Timing withRekeyAfterMessages(long n) {
        return new Timing(n, rejectAfterMessages, rekeyAfterTime, rejectAfterTime, rekeyAttemptTime, rekeyTimeout,
                keepaliveTimeout, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    public Timing withRejectAfterMessages(long n) {
        return new Timing(rekeyAfterMessages, n, rekeyAfterTime, rejectAfterTime, rekeyAttemptTime, rekeyTimeout,
                keepaliveTimeout, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    public Timing withRekeyTimeout(Duration d) {
        return new Timing(rekeyAfterMessages, rejectAfterMessages, rekeyAfterTime, rejectAfterTime, rekeyAttemptTime, d,
                keepaliveTimeout, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    public Timing withRekeyAttemptTime(Duration d) {
        return new Timing(rekeyAfterMessages, rejectAfterMessages, rekeyAfterTime, rejectAfterTime, d, rekeyTimeout,
                keepaliveTimeout, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    public Timing withKeepaliveTimeout(Duration d) {
        return new Timing(rekeyAfterMessages, rejectAfterMessages, rekeyAfterTime, rejectAfterTime, rekeyAttemptTime,
                rekeyTimeout, d, cookieRefreshTime, handshakeInitiationRate, timerTick);
    }

    /** How many initiations are sent before giving up: rekeyAttemptTime / rekeyTimeout. */
    public int maxHandshakeAttempts() {
        return (int) Math.max(1, rekeyAttemptTime.toNanos() / rekeyTimeout.toNanos());
    }
}
