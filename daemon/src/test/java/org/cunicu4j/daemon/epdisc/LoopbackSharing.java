package org.cunicu4j.daemon.epdisc;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.gather.HostGatherer;
import org.cunicu4j.ice.gather.LocalAddress;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;

/** A {@link PortSharing} for tests: host candidates on 127.0.0.1, {@link RecordingProxy}s. */
final class LoopbackSharing implements PortSharing {
    final List<RecordingProxy> proxies = new CopyOnWriteArrayList<>();
    /** While set, {@link #gatherers} fails. */
    volatile boolean failGatherers;
    /** While set, new proxies fail to point WireGuard at a pair. */
    volatile boolean failProxies;
    final java.util.concurrent.atomic.AtomicInteger gathererCalls = new java.util.concurrent.atomic.AtomicInteger();
    /** While set, new gatherers report each gathering's candidates with a priority one lower than the last's. */
    volatile boolean generations;

    @Override
    public ProxyMode mode() {
        return ProxyMode.USER;
    }

    @Override
    public String reason() {
        return "test";
    }

    @Override
    public List<Gatherer> gatherers(GatherSettings settings) throws java.io.IOException {
        gathererCalls.incrementAndGet();
        if (failGatherers) {
            throw new java.io.IOException("test: no sockets today");
        }
        Gatherer host = HostGatherer.builder().loopback(true).families(true, false)
                .addresses(() -> List.of(new LocalAddress("lo", 1, true, true, InetAddress.ofLiteral("127.0.0.1"))))
                .build();
        return List.of(generations ? new Generations(host) : host);
    }

    /** Makes the candidates of each gathering (after a restart) differ from the last's. */
    private static final class Generations implements Gatherer {
        private final Gatherer inner;
        private final java.util.concurrent.atomic.AtomicInteger gen = new java.util.concurrent.atomic.AtomicInteger();

        Generations(Gatherer inner) {
            this.inner = inner;
        }

        @Override
        public void gather(String localUfrag, int component, Sink sink) {
            int g = gen.getAndIncrement();
            inner.gather(localUfrag, component, new Sink() {
                @Override
                public void candidate(LocalCandidate lc) {
                    Candidate c = lc.candidate();
                    sink.candidate(new LocalCandidate(new Candidate(c.foundation(), c.component(), c.priority() - g,
                            c.address(), c.type(), c.relatedAddress(), c.relayProtocol()), lc.base()));
                }

                @Override
                public void failed(String source, Exception cause) {
                    sink.failed(source, cause);
                }

                @Override
                public void done() {
                    sink.done();
                }
            });
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Override
    public PeerProxy attach(Key peer, IceAgent agent) {
        RecordingProxy p = new RecordingProxy(peer, agent, failProxies);
        proxies.add(p);
        return p;
    }

    /** The latest proxy attached for {@code peer}. */
    RecordingProxy proxyOf(Key peer) {
        RecordingProxy found = null;
        for (RecordingProxy p : proxies) {
            if (p.peer.equals(peer)) {
                found = p;
            }
        }
        return found;
    }

    @Override
    public void close() {}
}
