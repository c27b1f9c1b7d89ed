package org.cunicu4j.daemon.autocfg;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.OptionalInt;
import org.cunicu4j.daemon.config.PortRange;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AutoConfig on our own Java device (a real TUN) in a namespace whose routes say different
 * MTUs: veth v0 (MTU 1400) carries the default route and 203.0.113.0/24 with an mtu 1380
 * metric, veth v1 (MTU 9000) reaches 198.51.100.0/24. Checked with {@code ip -j}.
 */
@RequiresRoot
@RequiresTools("ip")
class AutoConfigLabTest {
    private Lab lab;
    private Host host;
    private RtNetlink rt;
    private Device device;
    private String ifname;
    private Key privateKey;
    private AutoConfig ac;

    @BeforeEach
    void setUp() throws Exception {
        lab = Lab.open();
        host = lab.host("ac");
        host.run("ip", "link", "add", "v0", "mtu", "1400", "type", "veth", "peer", "name", "v0p", "mtu", "1400");
        host.run("ip", "link", "add", "v1", "mtu", "9000", "type", "veth", "peer", "name", "v1p", "mtu", "9000");
        for (String dev : new String[] {"v0", "v0p", "v1", "v1p"}) {
            host.run("ip", "link", "set", dev, "up");
        }
        host.run("ip", "addr", "add", "192.0.2.1/24", "dev", "v0");
        host.run("ip", "addr", "add", "198.51.100.1/24", "dev", "v1");
        host.run("ip", "route", "add", "default", "via", "192.0.2.254", "dev", "v0");
        host.run("ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.254", "dev", "v0", "mtu", "1380");

        rt = NetNs.call(host.netns(), RtNetlink::open);
        ac = new AutoConfig(AutoConfig.Settings.DEFAULT.withPrivateKey(null), rt);
        privateKey = ac.privateKey("test", null);
        int port = NetNs.call(host.netns(), () -> ac.listenPort(0));
        assertThat(port).as("a fresh namespace has the range's first port free").isEqualTo(51820);
        ifname = "ac" + ProcessHandle.current().pid() % 100000;
        device = NetNs.call(host.netns(), () -> Device.create(ifname,
                DeviceOptions.defaults().withPrivateKey(privateKey).withListenPort(port)));
    }

    @AfterEach
    void tearDown() {
        if (device != null) {
            device.close();
        }
        if (rt != null) {
            rt.close();
        }
        lab.close();
    }

    @Test
    void theInterfaceGetsItsDerivedAddressesTheLargestEndpointMtuAndComesUp() throws Exception {
        host.run("ip", "link", "set", ifname, "down"); // our device comes up by itself
        assertThat(linkJson()).doesNotContain("\"UP\"");
        Key pub = privateKey.publicKey();

        AutoConfig.LinkResult r = ac.configureLink(ifname, pub, List.of(
                new InetSocketAddress("203.0.113.5", 51820), new InetSocketAddress("198.51.100.7", 51820)));

        List<IpPrefix> expected = DerivedAddresses.addresses(pub, DerivedAddresses.DEFAULT_PREFIXES);
        assertThat(r.addresses()).isEqualTo(expected);
        assertThat(r.added()).isEqualTo(expected);
        assertThat(r.mtu()).isEqualTo(9000 - 80);
        assertThat(r.mtuReason()).isEqualTo("route to endpoint 198.51.100.7 has mtu 9000, minus 80");
        String addr = host.run("ip", "-j", "addr", "show", "dev", ifname).stdout();
        for (IpPrefix p : expected) {
            assertThat(addr).contains("\"local\":\"" + AddressText.format(p.address()) + "\",\"prefixlen\":" + p.bits());
        }
        String link = linkJson();
        assertThat(link).contains("\"mtu\":8920").contains("\"UP\"");

        // applying again changes nothing
        AutoConfig.LinkResult again = ac.configureLink(ifname, pub, List.of(new InetSocketAddress("198.51.100.7", 1)));
        assertThat(again.added()).isEmpty();
        assertThat(again.link().up()).isTrue();
    }

    @Test
    void theMtuFollowsWgQuick() throws Exception {
        InetAddress metric1380 = InetAddress.ofLiteral("203.0.113.5");
        InetAddress direct1400 = InetAddress.ofLiteral("192.0.2.77");
        InetAddress jumbo = InetAddress.ofLiteral("198.51.100.7");
        assertThat(ac.mtu(List.of())).as("no endpoints: the default route's device").isEqualTo(1400 - 80);
        assertThat(ac.mtu(List.of(metric1380))).as("the route's mtu metric").isEqualTo(1380 - 80);
        assertThat(ac.mtu(List.of(direct1400, metric1380))).as("the largest").isEqualTo(1400 - 80);
        assertThat(ac.mtu(List.of(metric1380, jumbo))).isEqualTo(9000 - 80);

        host.run("ip", "route", "del", "default");
        assertThat(ac.mtu(List.of())).as("no default route: 1500").isEqualTo(1500 - 80);
        assertThat(ac.mtu(List.of(InetAddress.ofLiteral("10.99.99.99")))).as("an unreachable endpoint").isEqualTo(1420);
        host.run("ip", "-6", "addr", "add", "fd01::1/64", "dev", "v1", "nodad");
        host.run("ip", "-6", "route", "add", "default", "via", "fd01::fe", "dev", "v1");
        assertThat(ac.mtu(List.of())).as("no IPv4 default route: the IPv6 one").isEqualTo(9000 - 80);

        assertThat(new AutoConfig(ac.settings().withMtu(1300), rt).mtu(List.of(jumbo))).isEqualTo(1300);
    }

    @Test
    void anEndpointBehindABlackholeOrProhibitRouteGivesNoMtuInsteadOfFailing() throws Exception {
        host.run("ip", "route", "add", "blackhole", "10.66.0.0/16");
        host.run("ip", "route", "add", "prohibit", "10.67.0.0/16");
        InetAddress blackhole = InetAddress.ofLiteral("10.66.0.1");
        InetAddress prohibit = InetAddress.ofLiteral("10.67.0.1");
        InetAddress jumbo = InetAddress.ofLiteral("198.51.100.7");

        assertThat(ac.mtu(List.of(blackhole, prohibit, jumbo))).as("the usable endpoint").isEqualTo(9000 - 80);
        assertThat(ac.mtu(List.of(blackhole, prohibit))).as("none usable: the default route's device").isEqualTo(1400 - 80);
        AutoConfig.LinkResult r = ac.configureLink(ifname, privateKey.publicKey(),
                List.of(new InetSocketAddress(blackhole, 51820), new InetSocketAddress(prohibit, 51820)));
        assertThat(r.mtu()).isEqualTo(1400 - 80);
        assertThat(r.mtuReason()).isEqualTo("default route has mtu 1400, minus 80");
    }

    @Test
    void aLocalEndpointIsNotARouteToMeasure() throws Exception {
        // ip route get 192.0.2.1 (our own address): "local ... dev lo", whose MTU 65536 would give 65456
        assertThat(ac.mtu(List.of(InetAddress.ofLiteral("192.0.2.1")))).isEqualTo(1400 - 80);
    }

    @Test
    void routesThroughOurOwnInterfaceAreIgnoredSoTheMtuCannotShrinkItself() throws Exception {
        int own = rt.findLink(ifname).orElseThrow().index();
        rt.setMtu(own, 8000);
        host.run("ip", "route", "add", "10.77.0.0/16", "dev", ifname); // an rtsync route to a peer's network
        InetAddress behindUs = InetAddress.ofLiteral("10.77.0.5");
        assertThat(ac.mtu(List.of(behindUs))).as("not knowing our interface: its own MTU counts").isEqualTo(8000 - 80);
        assertThat(ac.mtu(List.of(behindUs), own, 0)).isEqualTo(1400 - 80);

        AutoConfig.LinkResult first = ac.configureLink(ifname, privateKey.publicKey(),
                List.of(new InetSocketAddress(behindUs, 51820)));
        AutoConfig.LinkResult second = ac.configureLink(ifname, privateKey.publicKey(),
                List.of(new InetSocketAddress(behindUs, 51820)));
        assertThat(first.mtu()).isEqualTo(1400 - 80);
        assertThat(second.mtu()).as("again: no shrinking").isEqualTo(1400 - 80);

        // an exit peer: the default route through us
        host.run("ip", "route", "replace", "default", "dev", ifname);
        assertThat(ac.mtu(List.of(), own, 0)).as("our default route is skipped: 1500").isEqualTo(1500 - 80);
        assertThat(ac.mtu(List.of())).as("not knowing our interface: its mtu 1320 minus 80, raised").isEqualTo(1280);
    }

    @Test
    void theLookupCarriesTheDevicesFwmark() throws Exception {
        int own = rt.findLink(ifname).orElseThrow().index();
        // as wg-quick sets it up: the tunnel's packets (marked) use table 200, everything else goes through us
        host.run("ip", "rule", "add", "fwmark", "0x77", "lookup", "200");
        host.run("ip", "route", "add", "10.78.0.0/16", "via", "198.51.100.254", "dev", "v1", "table", "200");
        host.run("ip", "route", "add", "10.78.0.0/16", "dev", ifname);
        InetAddress endpoint = InetAddress.ofLiteral("10.78.0.5");

        assertThat(ac.mtu(List.of(endpoint), own, 0x77)).isEqualTo(9000 - 80);
        assertThat(ac.mtu(List.of(endpoint), own, 0)).as("unmarked: through us, skipped").isEqualTo(1400 - 80);
        AutoConfig.LinkResult r = ac.configureLink(ifname, privateKey.publicKey(), 0x77,
                List.of(new InetSocketAddress(endpoint, 51820)));
        assertThat(r.mtu()).isEqualTo(9000 - 80);
        assertThat(r.mtuReason()).isEqualTo("route to endpoint 10.78.0.5 has mtu 9000, minus 80");
    }

    @Test
    void theMtuIsSetBeforeTheAddressesSoTheIpv6OneIsKept() throws Exception {
        host.run("ip", "link", "set", ifname, "mtu", "1200"); // the kernel drops IPv6 from the link
        Key pub = privateKey.publicKey();

        AutoConfig.LinkResult r = ac.configureLink(ifname, pub, OptionalInt.of(1380));

        assertThat(r.added()).isEqualTo(DerivedAddresses.addresses(pub, DerivedAddresses.DEFAULT_PREFIXES));
        String addr = host.run("ip", "-j", "addr", "show", "dev", ifname).stdout();
        IpPrefix v6 = r.addresses().getFirst();
        assertThat(v6.isIpv4()).isFalse();
        assertThat(addr).contains("\"local\":\"" + AddressText.format(v6.address()) + "\",\"prefixlen\":" + v6.bits());
        assertThat(linkJson()).contains("\"mtu\":1380");
    }

    @Test
    void aCallerChosenMtuIsSetAndEmptyLeavesIt() throws Exception {
        host.run("ip", "link", "set", ifname, "down");
        ac.configureLink(ifname, privateKey.publicKey(), OptionalInt.empty());
        assertThat(linkJson()).contains("\"mtu\":" + DeviceOptions.DEFAULT_MTU).contains("\"UP\"");
        ac.configureLink(ifname, privateKey.publicKey(), OptionalInt.of(1380));
        assertThat(linkJson()).contains("\"mtu\":1380");
    }

    @Test
    void aNewKeyMovesTheAddresses() throws Exception {
        Key oldPub = privateKey.publicKey();
        ac.configureLink(ifname, oldPub, OptionalInt.empty());
        Key newPub = Key.generatePrivate().publicKey();

        List<IpPrefix> fresh = ac.publicKeyChanged(ifname, oldPub, newPub);

        String addr = host.run("ip", "-j", "addr", "show", "dev", ifname).stdout();
        for (IpPrefix p : fresh) {
            assertThat(addr).contains("\"local\":\"" + AddressText.format(p.address()) + "\"");
        }
        for (IpPrefix p : DerivedAddresses.addresses(oldPub, DerivedAddresses.DEFAULT_PREFIXES)) {
            assertThat(addr).doesNotContain("\"" + AddressText.format(p.address()) + "\"");
        }
        // a second time: the old ones are gone already, nothing fails
        assertThat(ac.publicKeyChanged(ifname, oldPub, newPub)).isEqualTo(fresh);
    }

    @Test
    void aPeerGetsItsDerivedAddressesAsAllowedIpsOnTheRealDevice() throws Exception {
        Key peer = Key.generatePrivate().publicKey();
        device.apply(DeviceUpdate.peers(new PeerUpdate(peer, false, false, null, null, null, false,
                List.of(IpPrefix.parse("192.168.50.0/24")))));

        List<IpPrefix> added = ac.peerAdded(device, peer);

        PeerStatus st = device.status().peers().stream().filter(p -> p.publicKey().equals(peer)).findFirst().orElseThrow();
        assertThat(st.allowedIps()).containsAll(added).contains(IpPrefix.parse("192.168.50.0/24")).hasSize(3);
        assertThat(added).extracting(IpPrefix::bits).containsExactly(128, 32);

        Key absent = Key.generatePrivate().publicKey();
        ac.peerAdded(device, absent);
        assertThat(device.status().peers()).extracting(PeerStatus::publicKey).doesNotContain(absent);
    }

    @Test
    void theFirstFreePortOfTheRangeIsPicked() throws Exception {
        try (DatagramChannel taken = NetNs.call(host.netns(), () -> {
            DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
            ch.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), 51900));
            return ch;
        })) {
            AutoConfig ranged = new AutoConfig(ac.settings().withListenPortRange(
                    new PortRange(51900, 51905)), rt);
            assertThat(NetNs.call(host.netns(), () -> ranged.listenPort(0))).isEqualTo(51901);
        }
    }

    private String linkJson() {
        return host.run("ip", "-j", "link", "show", "dev", ifname).stdout();
    }
}
