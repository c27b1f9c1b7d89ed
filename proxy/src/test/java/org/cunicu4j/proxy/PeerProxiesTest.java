package org.cunicu4j.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.ice.IceCandidatePair;
import org.junit.jupiter.api.Test;

class PeerProxiesTest {

    /** A proxy that removes itself on close, as the modes' proxies do, and counts its closes. */
    private static final class Fake implements PeerProxy {
        final PeerProxies<Fake> owner;
        final AtomicInteger closes = new AtomicInteger();

        Fake(PeerProxies<Fake> owner) {
            this.owner = owner;
        }

        @Override
        public ProxyMode mode() {
            return ProxyMode.USER;
        }

        @Override
        public String reason() {
            return "test";
        }

        @Override
        public void selectedPairChanged(IceCandidatePair pair) {}

        @Override
        public ProxyStats stats() {
            return null;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            owner.remove(this);
        }
    }

    @Test
    void addRunsTheHookAndCloseClosesEveryProxyOnce() {
        PeerProxies<Fake> peers = new PeerProxies<>("TestProxy of wg9");
        List<Fake> hooked = new ArrayList<>();
        Fake a = peers.add(new Fake(peers), "A", hooked::add);
        Fake b = peers.add(new Fake(peers), "B", hooked::add);
        assertThat(hooked).containsExactly(a, b);
        assertThat(peers.size()).isEqualTo(2);
        a.close();
        assertThat(peers.size()).as("a proxy's own close removes it").isEqualTo(1);
        List<Fake> seen = new ArrayList<>();
        peers.forEach(seen::add);
        assertThat(seen).containsExactly(b);

        assertThat(peers.close()).isTrue();
        assertThat(peers.close()).as("idempotent").isFalse();
        assertThat(peers.closed()).isTrue();
        assertThat(a.closes).hasValue(1);
        assertThat(b.closes).hasValue(1);
        assertThat(peers.size()).isZero();
        assertThat(peers).hasToString("TestProxy of wg9: 0 peers, closed");
    }

    @Test
    void addingAfterCloseClosesTheProxyAndNamesOwnerAndPeer() {
        PeerProxies<Fake> peers = new PeerProxies<>("TestProxy of wg9");
        peers.close();
        assertThatThrownBy(peers::requireOpen).isInstanceOf(IllegalStateException.class)
                .hasMessage("TestProxy of wg9 is closed");
        Fake late = new Fake(peers);
        List<Fake> hooked = new ArrayList<>();
        assertThatThrownBy(() -> peers.add(late, "K=", hooked::add)).isInstanceOf(IllegalStateException.class)
                .hasMessage("TestProxy of wg9 was closed while peer K= was attached");
        assertThat(late.closes).as("never left open").hasValue(1);
        assertThat(hooked).isEmpty();
        assertThat(peers.size()).isZero();
    }
}
