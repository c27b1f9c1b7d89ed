package org.cunicu4j.signaling.server;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cunicu4j.signaling.proto.signaling.RelayRegistryGrpc;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;

/**
 * The running signaling server: Signaling, RelayRegistry and the gRPC health service on one
 * port. {@link #start} binds and returns; {@link #close} shuts down gracefully (health
 * NOT_SERVING, no new calls, open Subscribe streams ended with UNAVAILABLE so clients
 * resubscribe elsewhere or later, wait up to the grace period, then cut what is left).
 * Owns its Netty event loops and the listening socket. Thread-safe.
 */
public final class SignalingServer implements AutoCloseable {

    private final ServerConfig config;
    private final Server server;
    private final Topics topics = new Topics();
    private final ServerCounters counters = new ServerCounters();
    private final HealthStatusManager health = new HealthStatusManager();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SignalingServer(ServerConfig config) {
        this.config = config;
        ServerCredentials creds;
        try {
            creds = config.tlsCert() == null
                    ? InsecureServerCredentials.create()
                    : TlsServerCredentials.create(config.tlsCert().toFile(), config.tlsKey().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS certificate " + config.tlsCert() + " or key "
                    + config.tlsKey() + ": " + e.getMessage(), e);
        }
        this.server = NettyServerBuilder.forAddress(config.listen(), creds)
                .addService(new SignalingService(topics, config, counters))
                .addService(new RelayRegistryService(config.relays(), config.clock(), counters))
                .addService(health.getHealthService())
                // every handler returns at once (publish only queues; writes never block), so
                // run them on the transport threads instead of hopping to an executor
                .directExecutor()
                .maxInboundMessageSize(ServerConfig.MAX_MESSAGE_BYTES)
                .maxConcurrentCallsPerConnection(config.maxCallsPerConnection())
                // clients ping every 5 min by default (grpc-go servers' minimum); permit
                // down to 20 s so ours never sends GOAWAY too_many_pings to a stricter client
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .build();
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException when the address cannot be bound (in use, not local)
     */
    public static SignalingServer start(ServerConfig config) {
        SignalingServer s = new SignalingServer(config);
        try {
            s.server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
        s.health.setStatus("", ServingStatus.SERVING);
        s.health.setStatus(SignalingGrpc.SERVICE_NAME, ServingStatus.SERVING);
        s.health.setStatus(RelayRegistryGrpc.SERVICE_NAME, ServingStatus.SERVING);
        return s;
    }

    /** The bound address (the real port when the configuration asked for 0). */
    public InetSocketAddress address() {
        List<? extends java.net.SocketAddress> addrs = server.getListenSockets();
        return (InetSocketAddress) addrs.getFirst();
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    public ServerConfig config() {
        return config;
    }

    /** The counters now. */
    public ServerStats stats() {
        List<Subscriber> all = topics.all();
        int maxQueued = 0;
        for (Subscriber s : all) {
            maxQueued = Math.max(maxQueued, s.queued());
        }
        return new ServerStats(all.size(), topics.topicCount(), counters.published.sum(), counters.unrouted.sum(),
                counters.delivered.sum(), counters.dropped.sum(), counters.rejected.sum(), maxQueued,
                counters.refused.sum());
    }

    /** Blocks until the server has terminated (after {@link #close} from another thread). */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    public boolean isTerminated() {
        return server.isTerminated();
    }

    /** Graceful shutdown; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        health.enterTerminalState();
        server.shutdown();
        for (Subscriber s : topics.all()) {
            s.terminate(Status.UNAVAILABLE.withDescription("signaling server shutting down"));
            topics.remove(s);
        }
        boolean interrupted = false;
        try {
            if (!server.awaitTermination(config.gracePeriod().toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(config.gracePeriod().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            server.shutdownNow();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
