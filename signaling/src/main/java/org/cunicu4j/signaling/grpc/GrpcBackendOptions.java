package org.cunicu4j.signaling.grpc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.cunicu4j.signaling.backend.BackendUrl;

/**
 * How to reach a signaling server. Immutable.
 *
 * @param host server host name or address
 * @param port server port
 * @param insecure plaintext HTTP/2 instead of TLS
 * @param caFile PEM certificates to trust instead of the system's, or null
 * @param backoff how resubscribing backs off after a broken stream
 * @param publishTimeout the deadline of one Publish call
 * @param keepAliveTime how long the connection may be idle before an HTTP/2 keepalive ping
 *     (while streams are open); grpc-go servers (cunīcu's) answer pings more often than
 *     every 5 minutes with GOAWAY too_many_pings, hence {@link #DEFAULT_KEEPALIVE}
 */
public record GrpcBackendOptions(String host, int port, boolean insecure, Path caFile, Backoff.Policy backoff,
                                 Duration publishTimeout, Duration keepAliveTime) {

    /** Keepalive ping interval grpc-go servers accept by default: 5 minutes. */
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofMinutes(5);

    private static final Set<String> PARAMS = Set.of("insecure", "ca");

    public GrpcBackendOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(publishTimeout, "publishTimeout");
        Objects.requireNonNull(keepAliveTime, "keepAliveTime");
        if (keepAliveTime.isNegative() || keepAliveTime.isZero()) {
            throw new IllegalArgumentException("keepAliveTime must be positive: " + keepAliveTime);
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
        if (insecure && caFile != null) {
            throw new IllegalArgumentException("a CA file makes no sense with insecure=true");
        }
    }

    /** The options before the keepalive time was one: {@link #DEFAULT_KEEPALIVE}. */
    public GrpcBackendOptions(String host, int port, boolean insecure, Path caFile, Backoff.Policy backoff,
                              Duration publishTimeout) {
        this(host, port, insecure, caFile, backoff, publishTimeout, DEFAULT_KEEPALIVE);
    }

    /** TLS with the system's trust store, default backoff, 10 s publish deadline, 5 min keepalive. */
    public static GrpcBackendOptions tls(String host, int port) {
        return new GrpcBackendOptions(host, port, false, null, Backoff.DEFAULT, Duration.ofSeconds(10));
    }

    /** Plaintext, default backoff, 10 s publish deadline, 5 min keepalive. */
    public static GrpcBackendOptions insecure(String host, int port) {
        return new GrpcBackendOptions(host, port, true, null, Backoff.DEFAULT, Duration.ofSeconds(10));
    }

    /**
     * From {@code grpc://host:port[?insecure=true][&ca=/path/ca.pem]}.
     *
     * @throws IllegalArgumentException naming the URL when host or port is missing or a parameter is unknown
     */
    public static GrpcBackendOptions fromUrl(BackendUrl url) {
        url.requireOnlyParams(PARAMS);
        String host = url.requireHost();
        int port = url.requirePort();
        boolean insecure = url.flag("insecure", false);
        Path ca = url.param("ca").filter(s -> !s.isEmpty()).map(Path::of).orElse(null);
        if (insecure && ca != null) {
            throw url.error("ca= and insecure=true exclude each other");
        }
        return new GrpcBackendOptions(host, port, insecure, ca, Backoff.DEFAULT, Duration.ofSeconds(10));
    }

    /** The same with a CA file to trust. */
    public GrpcBackendOptions withCaFile(Path ca) {
        return new GrpcBackendOptions(host, port, false, ca, backoff, publishTimeout, keepAliveTime);
    }

    /** The same with another keepalive ping interval (against a server that permits it). */
    public GrpcBackendOptions withKeepAliveTime(Duration time) {
        return new GrpcBackendOptions(host, port, insecure, caFile, backoff, publishTimeout, time);
    }

    /** The same with another resubscribe backoff: initial delay, doubling, capped at {@code max}, 20 % jitter. */
    public GrpcBackendOptions withBackoff(Duration initial, Duration max) {
        return new GrpcBackendOptions(host, port, insecure, caFile, new Backoff.Policy(initial, 2.0, max, 0.2),
                publishTimeout, keepAliveTime);
    }
}
