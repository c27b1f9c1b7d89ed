package org.cunicu4j.signaling.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.cunicu4j.signaling.proto.BuildInfo;

/**
 * How to run a {@link SignalingServer}. Immutable; start from {@link #listen(InetSocketAddress)}
 * and refine with the {@code with...} methods.
 *
 * @param listen the address to bind (port 0 picks a free one)
 * @param tlsCert PEM certificate chain, or null for plaintext
 * @param tlsKey PEM PKCS#8 private key, or null for plaintext
 * @param relays the TURN relays the relay registry hands out
 * @param queueCapacity envelopes each subscriber may have waiting before the oldest is dropped
 * @param buildInfo what GetBuildInfo answers
 * @param gracePeriod how long shutdown waits for calls to finish before cutting them
 * @param clock the time of TURN credentials
 */
public record ServerConfig(InetSocketAddress listen, Path tlsCert, Path tlsKey, List<RelaySpec> relays,
                           int queueCapacity, BuildInfo buildInfo, Duration gracePeriod, Clock clock) {

    /** Queued envelopes per subscriber by default. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;

    public ServerConfig {
        Objects.requireNonNull(listen, "listen");
        relays = List.copyOf(relays);
        Objects.requireNonNull(buildInfo, "buildInfo");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(clock, "clock");
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
        }
    }

    /** Plaintext on {@code listen}, no relays, default queue, build info from this jar, 5 s grace. */
    public static ServerConfig listen(InetSocketAddress listen) {
        return new ServerConfig(listen, null, null, List.of(), DEFAULT_QUEUE_CAPACITY, BuildInfos.ofThisJar(),
                Duration.ofSeconds(5), Clock.systemUTC());
    }

    public ServerConfig withTls(Path cert, Path key) {
        return new ServerConfig(listen, cert, key, relays, queueCapacity, buildInfo, gracePeriod, clock);
    }

    public ServerConfig withRelays(List<RelaySpec> newRelays) {
        return new ServerConfig(listen, tlsCert, tlsKey, newRelays, queueCapacity, buildInfo, gracePeriod, clock);
    }

    public ServerConfig withQueueCapacity(int capacity) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, capacity, buildInfo, gracePeriod, clock);
    }

    public ServerConfig withBuildInfo(BuildInfo info) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, info, gracePeriod, clock);
    }

    public ServerConfig withGracePeriod(Duration grace) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, grace, clock);
    }

    public ServerConfig withClock(Clock c) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, gracePeriod, c);
    }
}
