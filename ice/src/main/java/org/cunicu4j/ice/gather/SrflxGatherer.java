package org.cunicu4j.ice.gather;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.stun.client.BindingResult;
import org.cunicu4j.stun.url.StunUrl;

/**
 * Server-reflexive candidates (RFC 8445 section 5.1.1.2): for each STUN server and each
 * mux of the {@link HostGatherer}'s bases whose family matches the server's, a Binding
 * request sent from the mux's own socket ({@link UdpMux#mappedAddress}: the mux's reader
 * takes the response by transaction ID, so the agent can already be reading its conn).
 * The candidate's base is the host base the request left from (for a wildcard-bound mux,
 * the one whose IP the kernel routes towards the server), its related address that base's
 * address. A mapped address equal to a host candidate's, or already reported for the
 * same base, is dropped ({@link #duplicates()}). A server that does not answer within the
 * timeout, cannot be resolved, or answers with an error is reported to
 * {@link Gatherer.Sink#failed}; {@code stuns:} URLs are reported there too (the shared
 * port speaks UDP only). {@code done} follows the last answer or failure.
 *
 * <p>Each call of {@link #gather} (again after an ICE restart, when the host gatherer has
 * renamed its bases) asks the servers afresh.
 *
 * <p>Threading: {@link #gather} starts a platform thread from the
 * calling thread (its network namespace), which waits for the host bases, resolves the
 * servers and sends the requests; candidates are reported from the STUN client's threads.
 * Thread-safe. {@link #close()} stops reporting; the muxes belong to the host gatherer,
 * which must be gathered as well (put both in one {@link CompositeGatherer}, host first): the
 * server-reflexive thread waits for its bases (at most a minute, then it reports failure).
 */
public final class SrflxGatherer implements Gatherer {
    private static final Duration HOST_WAIT = Duration.ofSeconds(60);

    private final List<StunUrl> servers;
    private final HostGatherer hosts;
    private final Duration timeout;
    private final AtomicInteger duplicates = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param timeout how long to wait for each server's answer
     */
    public SrflxGatherer(List<StunUrl> servers, HostGatherer hosts, Duration timeout) {
        this.servers = List.copyOf(servers);
        this.hosts = Objects.requireNonNull(hosts, "hosts");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Mapped addresses dropped because a host candidate or an earlier answer had them already. */
    public int duplicates() {
        return duplicates.get();
    }

    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        Objects.requireNonNull(sink, "sink");
        Thread.ofPlatform().daemon().name("ice-gather-srflx " + localUfrag).start(() -> run(component, sink));
    }

    private void run(int component, Sink sink) {
        List<HostBase> bases;
        try {
            // the host gatherer completes it when done or closed; it must be gathered too (same composite)
            bases = hosts.bases().get(HOST_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            sink.failed("host bases", e instanceof IOException ? e : new IOException(e));
            sink.done();
            return;
        }
        Map<UdpMux, List<HostBase>> byMux = new IdentityHashMap<>();
        for (HostBase b : bases) {
            byMux.computeIfAbsent(b.mux(), m -> new ArrayList<>()).add(b);
        }
        List<Runnable> requests = new ArrayList<>();
        Set<String> reported = new HashSet<>(); // this round's answers, guarded by itself
        AtomicInteger outstanding = new AtomicInteger(1); // 1 for this thread until every request is out
        for (StunUrl url : servers) {
            if (url.secure()) {
                sink.failed(url.toString(), new IOException(url + ": STUN over TLS is not served from a UDP port"));
                continue;
            }
            InetSocketAddress server;
            try {
                server = url.resolve();
                if (server.isUnresolved()) {
                    throw new IOException("cannot resolve " + url.host());
                }
            } catch (IOException | RuntimeException e) {
                sink.failed(url.toString(), e);
                continue;
            }
            for (Map.Entry<UdpMux, List<HostBase>> e : byMux.entrySet()) {
                HostBase base = baseTowards(e.getValue(), server);
                if (base == null || !e.getKey().servesReflexive()) {
                    continue;
                }
                outstanding.incrementAndGet();
                requests.add(() -> e.getKey().mappedAddress(server)
                        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((r, err) -> {
                            try {
                                answer(url, server, base, bases, component, r, err, sink, reported);
                            } finally {
                                if (outstanding.decrementAndGet() == 0) {
                                    sink.done();
                                }
                            }
                        }));
            }
        }
        requests.forEach(Runnable::run);
        if (outstanding.decrementAndGet() == 0) {
            sink.done();
        }
    }

    private void answer(StunUrl url, InetSocketAddress server, HostBase base, List<HostBase> bases, int component,
            BindingResult r, Throwable err, Sink sink, Set<String> reported) {
        if (closed) {
            return;
        }
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            Exception ex = cause instanceof TimeoutException
                    ? new IOException(url + " did not answer within " + timeout.toMillis() + " ms (from "
                            + base.address() + ")", cause)
                    : cause instanceof Exception e ? e : new IOException(cause);
            sink.failed(url.toString(), ex);
            return;
        }
        InetSocketAddress mapped = r.mappedAddress();
        boolean duplicate = bases.stream().anyMatch(b -> b.address().equals(mapped));
        synchronized (reported) {
            duplicate |= !reported.add(mapped + " " + base.address());
        }
        if (duplicate) {
            duplicates.incrementAndGet();
            return;
        }
        InetAddress baseIp = base.address().getAddress();
        Candidate c = new Candidate(
                Foundations.foundation(CandidateType.SERVER_REFLEXIVE, baseIp, server.getAddress(), "udp"),
                component, Priorities.priority(CandidateType.SERVER_REFLEXIVE, base.localPreference(), component),
                mapped, CandidateType.SERVER_REFLEXIVE, base.address(), null);
        sink.candidate(new LocalCandidate(c, base.base()));
    }

    /**
     * The base a request to {@code server} leaves from: one of the mux's bases of the
     * server's family, the one with the source IP the kernel picks for the server when the
     * mux has several (a wildcard-bound mux); null when none has the family.
     */
    private static HostBase baseTowards(List<HostBase> bases, InetSocketAddress server) {
        boolean v4 = server.getAddress() instanceof Inet4Address;
        List<HostBase> family = bases.stream()
                .filter(b -> (b.address().getAddress() instanceof Inet4Address) == v4).toList();
        if (family.size() <= 1) {
            return family.isEmpty() ? null : family.getFirst();
        }
        try (DatagramChannel probe = DatagramChannel.open(v4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6)) {
            probe.connect(server);
            InetAddress source = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            return family.stream().filter(b -> b.address().getAddress().equals(source)).findFirst()
                    .orElse(family.getFirst());
        } catch (IOException e) {
            return family.getFirst();
        }
    }

    /** Stops reporting. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }
}
