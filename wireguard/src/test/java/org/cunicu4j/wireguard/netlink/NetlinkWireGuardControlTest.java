package org.cunicu4j.wireguard.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link NetlinkWireGuardControl} against a kernel WireGuard device in a lab namespace. Runs
 * only where the kernel has the wireguard module, and skips with that reason elsewhere, CI
 * included (no kernel here has it).
 */
@RequiresRoot
@RequiresTools({"ip"})
class NetlinkWireGuardControlTest {

    @Test
    void configuresAndReadsAKernelDevice() throws Exception {
        Assumptions.assumeTrue(NetlinkWireGuardControl.available(), NetlinkWireGuardControl.NO_FAMILY);
        try (Lab lab = Lab.open()) {
            Host host = lab.host("k");
            String ifname = WireguardGo.newInterfaceName();
            host.run("ip", "link", "add", ifname, "type", "wireguard");
            Key priv = Key.generatePrivate();
            Key peer = Key.generatePrivate().publicKey();
            DeviceStatus s = NetNs.call(host.netns(), () -> {
                try (NetlinkWireGuardControl c = NetlinkWireGuardControl.open(ifname)) {
                    c.apply(new DeviceUpdate(priv, 41000, 3, true, List.of(new PeerUpdate(peer, false, false, null,
                            new InetSocketAddress("2001:db8::1", 5), 25, true,
                            List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64"))))));
                    c.setEndpoint(peer, new InetSocketAddress("192.0.2.9", 6));
                    return c.status();
                }
            });
            assertThat(s.privateKey()).isEqualTo(priv);
            assertThat(s.listenPort()).isEqualTo(41000);
            assertThat(s.fwmark()).isEqualTo(3);
            assertThat(s.peers()).hasSize(1);
            assertThat(s.peers().getFirst().endpoint()).isEqualTo(new InetSocketAddress("192.0.2.9", 6));
            assertThat(s.peers().getFirst().allowedIps()).containsExactlyInAnyOrder(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64"));
            assertThat(host.run("wg", "show", ifname, "dump").stdout()).contains(peer.toBase64() + "\t(none)\t192.0.2.9:6\t");
        }
    }
}
