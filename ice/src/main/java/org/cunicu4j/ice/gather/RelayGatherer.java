package org.cunicu4j.ice.gather;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.stun.turn.Allocation;
import org.cunicu4j.stun.turn.TurnClient;
import org.cunicu4j.stun.turn.TurnConfig;
import org.cunicu4j.stun.url.TurnUrl;

/**
 * Relay candidates (RFC 8445 section 5.1.1.2): one TURN allocation per server URL (over
 * UDP, TCP or TLS, as the URL says), each on a platform thread of its own. The candidate's
 * address is the relayed address, its base the {@link Allocation} (a {@code PacketConn}),
 * its related address the mapped address the server reported (else the local address of
 * the link to the server). Credentials come from the URL, else from
 * {@link Builder#credentials}. A refusal, a timeout or a link that cannot be opened is
 * reported to {@link Gatherer.Sink#failed} with the reason, never thrown; {@code done}
 * follows the last allocation or failure.
 *
 * <p>Threading: {@link #gather} (once per instance) starts the threads from the calling
 * thread, so sockets open in its network namespace. {@link #close()} releases every
 * allocation (also one that completes afterwards). Thread-safe.
 */
public final class RelayGatherer implements Gatherer {
    private final List<TurnUrl> servers;
    private final String username;
    private final String password;
    private final SSLContext sslContext;
    private final Duration requestTimeout;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private final List<Allocation> allocations = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this

    private RelayGatherer(Builder b) {
        this.servers = List.copyOf(b.servers);
        this.username = b.username;
        this.password = b.password;
        this.sslContext = b.sslContext;
        this.requestTimeout = b.requestTimeout;
        this.scheduler = b.scheduler;
    }

    public static Builder builder(List<TurnUrl> servers) {
        return new Builder(servers);
    }

    /** The allocations made so far (borrowed: this gatherer closes them). */
    public synchronized List<Allocation> allocations() {
        return List.copyOf(allocations);
    }

    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        Objects.requireNonNull(sink, "sink");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a RelayGatherer gathers once; make one per agent");
        }
        if (servers.isEmpty()) {
            sink.done();
            return;
        }
        AtomicInteger outstanding = new AtomicInteger(servers.size());
        for (int i = 0; i < servers.size(); i++) {
            TurnUrl url = servers.get(i);
            int index = i;
            Thread.ofPlatform().daemon().name("ice-gather-relay " + localUfrag + " " + url.host())
                    .start(() -> {
                        try {
                            allocate(url, index, component, sink);
                        } finally {
                            if (outstanding.decrementAndGet() == 0) {
                                sink.done();
                            }
                        }
                    });
        }
    }

    private void allocate(TurnUrl url, int index, int component, Sink sink) {
        Allocation a;
        TurnConfig config;
        try {
            TurnConfig.Builder cfg = TurnConfig.builder(url).requestTimeout(requestTimeout);
            if (!url.hasCredentials() && username != null) {
                cfg.credentials(username, password);
            }
            if (sslContext != null) {
                cfg.sslContext(sslContext);
            }
            if (scheduler != null) {
                cfg.scheduler(scheduler);
            }
            config = cfg.build();
            a = TurnClient.allocate(config);
        } catch (IOException | RuntimeException e) {
            sink.failed(url.toString(), e);
            return;
        }
        synchronized (this) {
            if (closed) {
                a.close();
                return;
            }
            allocations.add(a);
        }
        Candidate.RelayProtocol protocol = switch (url.transport()) {
            case UDP -> Candidate.RelayProtocol.UDP;
            case TCP -> Candidate.RelayProtocol.TCP;
            case TLS -> Candidate.RelayProtocol.TLS;
        };
        InetSocketAddress relayed = a.relayedAddress();
        InetSocketAddress related = a.mappedAddress().orElse(a.linkAddress());
        InetSocketAddress server = config.server();
        Candidate c = new Candidate(
                Foundations.foundation(CandidateType.RELAY, relayed.getAddress(), server.getAddress(),
                        url.transport().id()),
                component,
                Priorities.priority(CandidateType.RELAY, Priorities.relayLocalPreference(protocol, index), component),
                relayed, CandidateType.RELAY, related, protocol);
        sink.candidate(new LocalCandidate(c, a));
    }

    /** Releases every allocation. Idempotent. */
    @Override
    public void close() {
        List<Allocation> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(allocations);
            allocations.clear();
        }
        all.forEach(Allocation::close);
    }

    /** Builds a {@link RelayGatherer}; not thread-safe. */
    public static final class Builder {
        private final List<TurnUrl> servers;
        private String username;
        private String password;
        private SSLContext sslContext;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private ScheduledExecutorService scheduler;

        private Builder(List<TurnUrl> servers) {
            this.servers = List.copyOf(servers);
        }

        /** Long-term credentials for URLs that carry none (the configuration's username and password). */
        public Builder credentials(String user, String pass) {
            this.username = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(pass, "pass");
            return this;
        }

        /** The TLS context for {@code turns:} (default: the JDK's trust). */
        public Builder sslContext(SSLContext ctx) {
            this.sslContext = ctx;
            return this;
        }

        /** How long an allocation may take, retransmissions included (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The scheduler for the allocations' refreshes (borrowed; default one thread per allocation). */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public RelayGatherer build() {
            return new RelayGatherer(this);
        }
    }
}
