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
 * @param queueBytes serialized bytes each subscriber may have waiting before the oldest
 *     envelopes are dropped (at least {@link #MAX_MESSAGE_BYTES})
 * @param maxSubscribers live Subscribe streams in all; more are refused with RESOURCE_EXHAUSTED
 * @param maxCallsPerConnection concurrent calls (streams) one client connection may have
 */
public record ServerConfig(InetSocketAddress listen, Path tlsCert, Path tlsKey, List<RelaySpec> relays,
                           int queueCapacity, BuildInfo buildInfo, Duration gracePeriod, Clock clock,
                           int queueBytes, int maxSubscribers, int maxCallsPerConnection) {

    /** The largest message the server accepts (an envelope is a few hundred bytes): 64 KiB. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** Queued bytes per subscriber by default: 256 KiB. */
    public static final int DEFAULT_QUEUE_BYTES = 256 * 1024;

    /** Live subscribers in all by default. */
    public static final int DEFAULT_MAX_SUBSCRIBERS = 4096;

    /** Concurrent calls per client connection by default. */
    public static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 256;

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
        if (queueBytes < MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("queueBytes must be at least " + MAX_MESSAGE_BYTES + ", got "
                    + queueBytes);
        }
        if (maxSubscribers < 1) {
            throw new IllegalArgumentException("maxSubscribers must be at least 1, got " + maxSubscribers);
        }
        if (maxCallsPerConnection < 1) {
            throw new IllegalArgumentException("maxCallsPerConnection must be at least 1, got "
                    + maxCallsPerConnection);
        }
    }

    /** Plaintext on {@code listen}, no relays, default queue and limits, build info from this jar, 5 s grace. */
    public static ServerConfig listen(InetSocketAddress listen) {
        return new ServerConfig(listen, null, null, List.of(), DEFAULT_QUEUE_CAPACITY, BuildInfos.ofThisJar(),
                Duration.ofSeconds(5), Clock.systemUTC(), DEFAULT_QUEUE_BYTES, DEFAULT_MAX_SUBSCRIBERS,
                DEFAULT_MAX_CALLS_PER_CONNECTION);
    }

    public ServerConfig withTls(Path cert, Path key) {
        return new ServerConfig(listen, cert, key, relays, queueCapacity, buildInfo, gracePeriod, clock,
                queueBytes, maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withRelays(List<RelaySpec> newRelays) {
        return new ServerConfig(listen, tlsCert, tlsKey, newRelays, queueCapacity, buildInfo, gracePeriod, clock,
                queueBytes, maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withQueueCapacity(int capacity) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, capacity, buildInfo, gracePeriod, clock,
                queueBytes, maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withBuildInfo(BuildInfo info) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, info, gracePeriod, clock,
                queueBytes, maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withGracePeriod(Duration grace) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, grace, clock,
                queueBytes, maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withClock(Clock c) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, gracePeriod, c,
                queueBytes, maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withQueueBytes(int bytes) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, gracePeriod, clock, bytes,
                maxSubscribers, maxCallsPerConnection);
    }

    public ServerConfig withMaxSubscribers(int max) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, gracePeriod, clock,
                queueBytes, max, maxCallsPerConnection);
    }

    public ServerConfig withMaxCallsPerConnection(int max) {
        return new ServerConfig(listen, tlsCert, tlsKey, relays, queueCapacity, buildInfo, gracePeriod, clock,
                queueBytes, maxSubscribers, max);
    }
}
