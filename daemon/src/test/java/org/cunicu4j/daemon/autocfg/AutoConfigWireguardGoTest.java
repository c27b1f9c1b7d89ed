package org.cunicu4j.daemon.autocfg;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.control.WireGuardControls;
import org.junit.jupiter.api.Test;

/** AutoConfig on an adopted wireguard-go device (no key, no port) through its UAPI socket, checked with wg and ip. */
@RequiresRoot
@RequiresTools({"ip", "wg", "wireguard-go"})
class AutoConfigWireguardGoTest {

    @Test
    void aBareWireguardGoDeviceIsFullyConfigured() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("go");
            h.run("ip", "link", "add", "v1", "mtu", "9000", "type", "veth", "peer", "name", "v1p", "mtu", "9000");
            h.run("ip", "link", "set", "v1", "up");
            h.run("ip", "link", "set", "v1p", "up");
            h.run("ip", "addr", "add", "198.51.100.1/24", "dev", "v1");
            try (WireguardGo wgo = WireguardGo.start(h);
                    WireGuardControl control = WireGuardControls.open(wgo.interfaceName());
                    RtNetlink rt = NetNs.call(h.netns(), RtNetlink::open)) {
                String ifname = wgo.interfaceName();
                assertThat(wgo.wg("show", ifname, "private-key").stdout().strip()).isEqualTo("(none)");
                String ownPort = wgo.wg("show", ifname, "listen-port").stdout().strip(); // wireguard-go picks one
                AutoConfig ac = new AutoConfig(AutoConfig.Settings.DEFAULT, rt);

                AutoConfig.DeviceKeys keys = NetNs.call(h.netns(), () -> ac.configureDevice(control));
                assertThat(keys.previousPublicKey()).as("wireguard-go starts without a key").isNull();
                Key pub = keys.publicKey();

                assertThat(wgo.wg("show", ifname, "public-key").stdout().strip()).isEqualTo(pub.toBase64());
                assertThat(wgo.wg("show", ifname, "listen-port").stdout().strip()).as("the device's port is kept")
                        .isEqualTo(ownPort);
                assertThat(NetNs.call(h.netns(), () -> ac.configureDevice(control))).as("idempotent")
                        .isEqualTo(new AutoConfig.DeviceKeys(pub, pub));
                AutoConfig configured = new AutoConfig(AutoConfig.Settings.DEFAULT.withListenPort(51830), rt);
                assertThat(NetNs.call(h.netns(), () -> configured.configureDevice(control)).publicKey()).isEqualTo(pub);
                assertThat(wgo.wg("show", ifname, "listen-port").stdout().strip()).isEqualTo("51830");

                Key peer = Key.generatePrivate().publicKey();
                wgo.wg("set", ifname, "peer", peer.toBase64(), "allowed-ips", "192.168.9.0/24",
                        "endpoint", "198.51.100.7:51820");
                List<IpPrefix> added = ac.peerAdded(control, peer);
                String allowed = wgo.wg("show", ifname, "allowed-ips").stdout();
                assertThat(allowed).contains("192.168.9.0/24");
                for (IpPrefix p : added) {
                    assertThat(allowed).contains(AddressText.format(p));
                }

                AutoConfig.LinkResult r = ac.configureLink(ifname, pub, List.of(new InetSocketAddress("198.51.100.7", 51820)));
                assertThat(r.mtu()).isEqualTo(8920);
                String addr = h.run("ip", "-j", "addr", "show", "dev", ifname).stdout();
                for (IpPrefix p : DerivedAddresses.addresses(pub, DerivedAddresses.DEFAULT_PREFIXES)) {
                    assertThat(addr).contains("\"local\":\"" + AddressText.format(p.address()) + "\",\"prefixlen\":" + p.bits());
                }
                assertThat(addr).contains("\"mtu\":8920").contains("\"UP\"");
            }
        }
    }
}
