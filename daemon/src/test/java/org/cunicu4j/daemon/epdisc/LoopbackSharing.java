package org.cunicu4j.daemon.epdisc;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.ice.Gatherer;
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

    @Override
    public ProxyMode mode() {
        return ProxyMode.USER;
    }

    @Override
    public String reason() {
        return "test";
    }

    @Override
    public List<Gatherer> gatherers(GatherSettings settings) {
        return List.of(HostGatherer.builder().loopback(true).families(true, false)
                .addresses(() -> List.of(new LocalAddress("lo", 1, true, true, InetAddress.ofLiteral("127.0.0.1"))))
                .build());
    }

    @Override
    public PeerProxy attach(Key peer, IceAgent agent) {
        RecordingProxy p = new RecordingProxy(peer, agent);
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
