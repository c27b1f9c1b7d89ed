package org.cunicu4j.ice.gather;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.client.RetransmissionPolicy;

/**
 * Host candidates (RFC 8445 section 5.1.1.1): one per usable local address (IPv4 and
 * IPv6; link-local always skipped, loopback unless allowed; interfaces chosen by an
 * {@link InterfaceFilter}), listed with rtnetlink.
 *
 * <h2>Two ways to get a port</h2>
 * <ul>
 *   <li><b>A socket per address</b> (the default): a UDP socket bound to the address (port
 *       0, or the one given), wrapped in a {@link UdpMux} with server-reflexive discovery
 *       that this gatherer owns; the base is the agent's conn on it.</li>
 *   <li><b>Shared port</b> ({@link Builder#shared}): the owner's muxes, bound to a family's
 *       wildcard address on one port; every host candidate has that port and the base is
 *       the agent's conn ({@link UdpMux#connFor}) on the mux of the address's family (an
 *       IPv6 wildcard mux, dual-stack, also serves IPv4 when no IPv4 mux is given).</li>
 * </ul>
 * Priorities and foundations: {@link Priorities}, {@link Foundations}. An address whose
 * socket cannot be opened is reported to {@link Gatherer.Sink#failed} and skipped.
 * {@link #bases()} completes with what was made once gathering is done; the
 * {@link SrflxGatherer} works from it.
 *
 * <p>Threading: {@link #gather} starts a platform thread from the calling thread, which lists the interfaces and opens the sockets in the caller's network
 * namespace and reports there. {@link #close()} closes the muxes this gatherer opened and
 * the conns it registered on shared muxes, so close it when the agent is done with the
 * candidates. Thread-safe.
 */
public final class HostGatherer implements Gatherer {
    private final InterfaceFilter filter;
    private final boolean loopback;
    private final boolean ipv4;
    private final boolean ipv6;
    private final int port;
    private final RetransmissionPolicy stunPolicy;
    private final List<UdpMux> shared;
    private final Callable<List<LocalAddress>> addresses;
    private final CompletableFuture<List<HostBase>> bases = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final List<AutoCloseable> opened = new ArrayList<>(); // guarded by this
    private boolean closed; // guarded by this

    private HostGatherer(Builder b) {
        this.filter = b.filter;
        this.loopback = b.loopback;
        this.ipv4 = b.ipv4;
        this.ipv6 = b.ipv6;
        this.port = b.port;
        this.stunPolicy = b.stunPolicy;
        this.shared = List.copyOf(b.shared);
        this.addresses = b.addresses;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bases made, once gathering is done (empty when it failed as a whole or was closed first). */
    public CompletableFuture<List<HostBase>> bases() {
        return bases;
    }

    /**
     * The first call lists the interfaces and opens (or registers) the bases; a later call
     * (after an ICE restart) renames the same bases' conns to the new fragment
     * ({@link MuxedConn#rename}) and reports the same host candidates again.
     */
    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        Objects.requireNonNull(localUfrag, "localUfrag");
        Objects.requireNonNull(sink, "sink");
        boolean first = started.compareAndSet(false, true);
        Thread.ofPlatform().daemon().name("ice-gather-host " + localUfrag)
                .start(() -> {
                    if (first) {
                        run(localUfrag, component, sink);
                    } else {
                        again(localUfrag, component, sink);
                    }
                });
    }

    private void again(String ufrag, int component, Sink sink) {
        try {
            List<HostBase> made = bases.get(60, TimeUnit.SECONDS);
            Set<MuxedConn> renamed = Collections.newSetFromMap(new IdentityHashMap<>());
            for (HostBase b : made) {
                if (renamed.add(b.base())) {
                    try {
                        b.base().rename(ufrag);
                    } catch (RuntimeException e) {
                        sink.failed("host " + b.address().getAddress().getHostAddress() + " (" + b.ifname() + ")", e);
                        continue;
                    }
                }
                sink.candidate(candidate(b, component));
            }
        } catch (Exception e) {
            sink.failed("host bases", e);
        } finally {
            sink.done();
        }
    }

    private static LocalCandidate candidate(HostBase base, int component) {
        InetAddress ip = base.address().getAddress();
        Candidate c = new Candidate(Foundations.foundation(CandidateType.HOST, ip, null, "udp"), component,
                Priorities.priority(CandidateType.HOST, base.localPreference(), component), base.address(),
                CandidateType.HOST, null, null);
        return new LocalCandidate(c, base.base());
    }

    private void run(String ufrag, int component, Sink sink) {
        List<HostBase> made = new ArrayList<>();
        try {
            List<LocalAddress> selected;
            try {
                selected = HostAddresses.select(addresses.call(), filter, loopback, ipv4, ipv6);
            } catch (Exception e) {
                sink.failed("interfaces", e instanceof IOException ? e
                        : new IOException("listing the local addresses failed: " + e.getMessage(), e));
                return;
            }
            int v4 = 0;
            int v6 = 0;
            for (LocalAddress a : selected) {
                int localPreference = Priorities.hostLocalPreference(a.address(),
                        a.address() instanceof Inet6Address ? v6++ : v4++);
                HostBase base;
                try {
                    base = shared.isEmpty() ? ownSocket(a, ufrag, localPreference) : onShared(a, ufrag, localPreference);
                } catch (IOException | RuntimeException e) {
                    sink.failed("host " + a.address().getHostAddress() + " (" + a.ifname() + ")", e);
                    continue;
                }
                if (base == null) {
                    return; // closed meanwhile
                }
                made.add(base);
                sink.candidate(candidate(base, component));
            }
        } finally {
            bases.complete(List.copyOf(made));
            sink.done();
        }
    }

    private HostBase ownSocket(LocalAddress a, String ufrag, int localPreference) throws IOException {
        UdpPacketConn conn = UdpPacketConn.open(new InetSocketAddress(a.address(), port));
        UdpMux mux;
        try {
            mux = UdpMux.builder(conn).serverReflexive(stunPolicy, null).start();
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
        if (!keep(mux)) {
            return null;
        }
        return new HostBase(new InetSocketAddress(a.address(), conn.localAddress().getPort()), a.ifname(),
                localPreference, mux, mux.connFor(ufrag));
    }

    private HostBase onShared(LocalAddress a, String ufrag, int localPreference) throws IOException {
        UdpMux mux = pick(a.address());
        if (mux == null) {
            throw new IOException("no shared UdpMux serves " + a.address().getHostAddress() + " (muxes on "
                    + shared.stream().map(UdpMux::localAddress).toList() + ")");
        }
        MuxedConn conn = mux.connFor(ufrag);
        if (!keep(conn)) {
            return null;
        }
        return new HostBase(new InetSocketAddress(a.address(), mux.localAddress().getPort()), a.ifname(),
                localPreference, mux, conn);
    }

    /** The shared mux for {@code ip}: bound to it, or to its family's wildcard, or (IPv4) an IPv6 wildcard. */
    private UdpMux pick(InetAddress ip) {
        UdpMux dualStack = null;
        for (UdpMux m : shared) {
            InetAddress bound = m.localAddress().getAddress();
            if (bound.equals(ip)) {
                return m;
            }
            if (bound.isAnyLocalAddress()) {
                if (bound.getClass() == ip.getClass()) {
                    return m;
                }
                if (bound instanceof Inet6Address && ip instanceof Inet4Address && dualStack == null) {
                    dualStack = m;
                }
            }
        }
        return dualStack;
    }

    private synchronized boolean keep(AutoCloseable c) {
        if (closed) {
            try {
                c.close();
            } catch (Exception e) {
                // closing what nobody saw yet: nothing to report
            }
            return false;
        }
        opened.add(c);
        return true;
    }

    /** Closes the muxes opened (per-address mode) or the conns registered (shared mode). Idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(opened);
            opened.clear();
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the rest still get closed
            }
        }
        bases.complete(List.of());
    }

    /** Builds a {@link HostGatherer}; not thread-safe. */
    public static final class Builder {
        private InterfaceFilter filter = InterfaceFilter.ALL;
        private boolean loopback;
        private boolean ipv4 = true;
        private boolean ipv6 = true;
        private int port;
        private RetransmissionPolicy stunPolicy = RetransmissionPolicy.DEFAULT;
        private final List<UdpMux> shared = new ArrayList<>();
        private Callable<List<LocalAddress>> addresses = HostAddresses::list;

        private Builder() {}

        public Builder filter(InterfaceFilter filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** Include/exclude interface globs; see {@link InterfaceFilter}. */
        public Builder interfaces(List<String> include, List<String> exclude) {
            return filter(new InterfaceFilter(include, exclude));
        }

        /** Allow loopback interfaces and addresses (for tests; default false). */
        public Builder loopback(boolean allow) {
            this.loopback = allow;
            return this;
        }

        /** Which families to gather (default both). */
        public Builder families(boolean ipv4, boolean ipv6) {
            this.ipv4 = ipv4;
            this.ipv6 = ipv6;
            return this;
        }

        /** Per-address mode: the port to bind each socket to (default 0, any). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Per-address mode: retransmissions of the muxes' server-reflexive requests (default RFC 8489's). */
        public Builder stunPolicy(RetransmissionPolicy policy) {
            this.stunPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Shared-port mode: the owner's muxes (borrowed), one per family, bound to the wildcard address. */
        public Builder shared(UdpMux... muxes) {
            this.shared.addAll(List.of(muxes));
            return this;
        }

        /** Where the local addresses come from (default: rtnetlink in the gathering thread's namespace). */
        public Builder addresses(Callable<List<LocalAddress>> source) {
            this.addresses = Objects.requireNonNull(source, "source");
            return this;
        }

        public HostGatherer build() {
            return new HostGatherer(this);
        }
    }
}
