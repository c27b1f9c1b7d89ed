package org.cunicu4j.proxy.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.Test;

/** UserspaceProxy's bookkeeping: a listen-port change reaches every peer; no peer is attached once closed. */
class UserspaceProxyTest {

    @Test
    void aListenPortChangeReachesEveryPeerAndLaterOnes() throws Exception {
        WireGuardControl control = new FixedControl();
        UserspaceProxy proxy = UserspaceProxy.open(control, 51820);
        IceAgent a1 = agent(proxy);
        IceAgent a2 = agent(proxy);
        IceAgent a3 = agent(proxy);
        try {
            UserspacePeerProxy p1 = (UserspacePeerProxy) proxy.attach(Key.generatePrivate().publicKey(), a1);
            UserspacePeerProxy p2 = (UserspacePeerProxy) proxy.attach(Key.generatePrivate().publicKey(), a2);
            assertThat(List.of(p1.listenPort(), p2.listenPort())).containsExactly(51820, 51820);
            proxy.listenPortChanged(40000);
            assertThat(proxy.listenPort()).isEqualTo(40000);
            assertThat(List.of(p1.listenPort(), p2.listenPort())).containsExactly(40000, 40000);
            UserspacePeerProxy p3 = (UserspacePeerProxy) proxy.attach(Key.generatePrivate().publicKey(), a3);
            assertThat(p3.listenPort()).isEqualTo(40000);
            assertThatThrownBy(() -> proxy.listenPortChanged(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1..65535");
            assertThat(proxy.listenPort()).isEqualTo(40000);
        } finally {
            proxy.close();
            a1.close();
            a2.close();
            a3.close();
        }
        IceAgent late = IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
        try {
            assertThatThrownBy(() -> proxy.attach(Key.generatePrivate().publicKey(), late))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        } finally {
            late.close();
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("userproxy-"))).as("closing the proxy closed its peers' loops").isEmpty();
    }

    private static IceAgent agent(UserspaceProxy proxy) {
        return IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING,
                proxy.gatherers(GatherSettings.hostOnly().withLoopback(true)));
    }

    private static final class FixedControl implements WireGuardControl {
        @Override
        public String name() {
            return "stub";
        }

        @Override
        public DeviceStatus status() {
            return new DeviceStatus(null, 51820, 0, List.of());
        }

        @Override
        public void apply(DeviceUpdate update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setEndpoint(Key peer, InetSocketAddress endpoint) {
            throw new UnsupportedOperationException();
        }
    }
}
