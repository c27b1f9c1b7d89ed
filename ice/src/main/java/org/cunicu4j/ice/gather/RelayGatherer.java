package org.cunicu4j.ice.gather;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
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
 * <p>Threading: {@link #gather} starts the threads from the calling
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
    /** Per server index, what it gave (guarded by this). */
    private final Map<Integer, Made> made = new HashMap<>();
    /** Completes when the latest round is done; a new round starts after it (guarded by this). */
    private CompletableFuture<Void> lastRound = CompletableFuture.completedFuture(null);
    private boolean closed; // guarded by this

    private record Made(Allocation allocation, InetSocketAddress server) {}

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
        return made.values().stream().map(Made::allocation).toList();
    }

    /**
     * The first call allocates on every server; a later call (after an ICE restart) reports
     * the allocations still alive again and retries the servers that failed or whose
     * allocation broke. A round starts after the previous one is done.
     */
    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        Objects.requireNonNull(sink, "sink");
        CompletableFuture<Void> previous;
        CompletableFuture<Void> round = new CompletableFuture<>();
        synchronized (this) {
            previous = lastRound;
            lastRound = round;
        }
        if (servers.isEmpty()) {
            round.complete(null);
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
                            previous.join();
                            relay(url, index, component, sink);
                        } finally {
                            if (outstanding.decrementAndGet() == 0) {
                                round.complete(null);
                                sink.done();
                            }
                        }
                    });
        }
    }

    private void relay(TurnUrl url, int index, int component, Sink sink) {
        Made m;
        synchronized (this) {
            m = made.get(index);
            if (m != null && m.allocation().failure().isPresent()) {
                made.remove(index);
                m.allocation().close();
                m = null;
            }
        }
        if (m == null) {
            m = allocate(url, index, sink);
        }
        if (m != null) {
            sink.candidate(candidate(url, index, component, m));
        }
    }

    private Made allocate(TurnUrl url, int index, Sink sink) {
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
            return null;
        }
        Made m = new Made(a, config.server());
        synchronized (this) {
            if (closed) {
                a.close();
                return null;
            }
            made.put(index, m);
        }
        return m;
    }

    private static LocalCandidate candidate(TurnUrl url, int index, int component, Made m) {
        Candidate.RelayProtocol protocol = switch (url.transport()) {
            case UDP -> Candidate.RelayProtocol.UDP;
            case TCP -> Candidate.RelayProtocol.TCP;
            case TLS -> Candidate.RelayProtocol.TLS;
        };
        Allocation a = m.allocation();
        InetSocketAddress relayed = a.relayedAddress();
        InetSocketAddress related = a.mappedAddress().orElse(a.linkAddress());
        Candidate c = new Candidate(
                Foundations.foundation(CandidateType.RELAY, relayed.getAddress(), m.server().getAddress(),
                        url.transport().id()),
                component,
                Priorities.priority(CandidateType.RELAY, Priorities.relayLocalPreference(protocol, index), component),
                relayed, CandidateType.RELAY, related, protocol);
        return new LocalCandidate(c, a);
    }

    /** Releases every allocation. Idempotent. */
    @Override
    public void close() {
        List<Allocation> all;
        synchronized (this) {
            closed = true;
            all = made.values().stream().map(Made::allocation).toList();
            made.clear();
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
