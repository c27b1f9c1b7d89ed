package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Test;

/** {@link UapiClient} against a real wireguard-go in a lab namespace, cross-checked with {@code wg show dump}. */
@RequiresRoot
@RequiresTools({"ip", "wireguard-go", "wg"})
class UapiClientWireguardGoTest {

    @Test
    void readsAndSetsPeersAndEndpointsOfWireguardGo() throws Exception {
        try (Lab lab = Lab.open()) {
            WireguardGo wg = WireguardGo.start(lab.host("a"));
            UapiClient client = UapiClient.of(wg.interfaceName());
            assertThat(client.socket()).isEqualTo(wg.socket());

            Key priv = Key.generatePrivate();
            Key p1 = Key.generatePrivate().publicKey();
            Key p2 = Key.generatePrivate().publicKey();
            Key psk = Key.generatePreshared();
            client.apply(new DeviceUpdate(priv, 41820, 7, true, List.of(
                    new PeerUpdate(p1, false, false, psk, new InetSocketAddress("198.51.100.3", 51820), 15, false,
                            List.of(IpPrefix.parse("10.7.0.0/24"), IpPrefix.parse("fd07::/64"))),
                    new PeerUpdate(p2, false, false, null, new InetSocketAddress("2001:db8::2", 1234), null, false,
                            List.of(IpPrefix.parse("10.8.0.1/32"))))));

            DeviceStatus s = client.status();
            assertThat(s.privateKey()).isEqualTo(priv);
            assertThat(s.publicKey()).isEqualTo(priv.publicKey());
            assertThat(s.listenPort()).isEqualTo(41820);
            assertThat(s.fwmark()).isEqualTo(7);
            assertThat(s.peers()).extracting(PeerStatus::publicKey).containsExactlyInAnyOrder(p1, p2);
            PeerStatus a = peer(s, p1);
            assertThat(a.presharedKey()).isEqualTo(psk);
            assertThat(a.endpoint()).isEqualTo(new InetSocketAddress("198.51.100.3", 51820));
            assertThat(a.persistentKeepaliveSeconds()).isEqualTo(15);
            assertThat(a.allowedIps()).containsExactlyInAnyOrder(IpPrefix.parse("10.7.0.0/24"), IpPrefix.parse("fd07::/64"));
            assertThat(a.protocolVersion()).isEqualTo(1);
            assertThat(a.lastHandshake()).isNull();
            PeerStatus b = peer(s, p2);
            assertThat(b.presharedKey()).isNull();
            assertThat(b.endpoint()).isEqualTo(new InetSocketAddress("2001:db8::2", 1234));

            // what wg itself reads from wireguard-go agrees
            String dump = wg.wg("show", wg.interfaceName(), "dump").stdout();
            assertThat(dump).startsWith(priv.toBase64() + "\t" + priv.publicKey().toBase64() + "\t41820\t0x7\n")
                    .contains(p2.toBase64() + "\t(none)\t[2001:db8::2]:1234\t10.8.0.1/32\t0\t0\t0\toff\n");

            // the daemon's one call: move an endpoint
            client.setEndpoint(p2, new InetSocketAddress("203.0.113.9", 999));
            assertThat(peer(client.status(), p2).endpoint()).isEqualTo(new InetSocketAddress("203.0.113.9", 999));
            assertThat(wg.wg("show", wg.interfaceName(), "endpoints").stdout())
                    .contains(p2.toBase64() + "\t203.0.113.9:999");

            // update_only does not create; replace_allowed_ips replaces; remove removes
            Key p3 = Key.generatePrivate().publicKey();
            client.setEndpoint(p3, new InetSocketAddress("203.0.113.10", 1));
            client.apply(DeviceUpdate.peers(
                    new PeerUpdate(p1, false, false, null, null, 0, true, List.of(IpPrefix.parse("10.9.9.0/24"))),
                    PeerUpdate.removal(p2)));
            s = client.status();
            assertThat(s.peers()).extracting(PeerStatus::publicKey).containsExactly(p1);
            assertThat(s.peers().getFirst().allowedIps()).containsExactly(IpPrefix.parse("10.9.9.0/24"));
            assertThat(s.peers().getFirst().persistentKeepaliveSeconds()).isZero();

            // a second wireguard-go in the same namespace cannot take the port: its errno comes back
            WireguardGo second = WireguardGo.start(wg.host());
            UapiClient client2 = UapiClient.of(second.interfaceName());
            assertThatThrownBy(() -> client2.apply(new DeviceUpdate(null, 41820, null, false, List.of())))
                    .isInstanceOf(UapiException.class)
                    .hasMessageContaining("refused set=1: errno=98 EADDRINUSE");
        }
    }

    private static PeerStatus peer(DeviceStatus s, Key key) {
        return s.peers().stream().filter(p -> p.publicKey().equals(key)).findFirst().orElseThrow();
    }
}
