package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.cunicu4j.linux.Capabilities;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.tun.TunDevice;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;

@RequiresRoot
@RequiresTools("ip")
class RtNetlinkTest {
    private Lab lab;
    private Host host;
    private TunDevice tun;
    private RtNetlink rt;
    private int dev;

    @BeforeEach
    void setUp() throws Exception {
        lab = Lab.open();
        host = lab.host("rt");
        tun = NetNs.call(host.netns(), () -> TunDevice.open("tun0"));
        rt = NetNs.call(host.netns(), RtNetlink::open);
        dev = tun.index();
    }

    @AfterEach
    void tearDown() {
        if (rt != null) {
            rt.close();
        }
        if (tun != null) {
            tun.close();
        }
        lab.close();
    }

    @Test
    void findsLinksByNameAndIndex() throws Exception {
        Link byName = rt.link("tun0");
        assertThat(byName.index()).isEqualTo(dev);
        assertThat(byName.up()).isFalse();
        assertThat(byName.mtu()).isEqualTo(1500);
        assertThat(rt.link(dev)).isEqualTo(byName);
        assertThat(rt.findLink("lo")).get().extracting(Link::index).isEqualTo(1);
        assertThat(rt.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "tun0");
        assertThat(rt.malformedMessages()).isZero();
    }

    @Test
    void aMissingLinkGivesAClearError() throws Exception {
        assertThat(rt.findLink("nope0")).isEmpty();
        assertThat(rt.findLink(4242)).isEmpty();
        assertThatThrownBy(() -> rt.setUp(4242, true))
                .isInstanceOf(LinuxException.class)
                .hasMessage("RTM_NEWLINK(dev 4242, up): ENODEV (No such device) — no link with index 4242 in this network namespace");
        assertThatThrownBy(() -> rt.link("nope0"))
                .isInstanceOf(LinuxException.class)
                .hasMessageStartingWith("RTM_GETLINK(name \"nope0\"): ENODEV (No such device)"
                        + " — no link named \"nope0\" in this network namespace");
    }

    @Test
    void mtuAndUpDownShowInIp() throws Exception {
        rt.setMtu(dev, 1380);
        rt.setUp(dev, true);
        String shown = host.run("ip", "-j", "link", "show", "tun0").stdout();
        assertThat(shown).contains("\"mtu\":1380").containsPattern("\"flags\":\\[[^]]*\"UP\"");
        assertThat(rt.link(dev).up()).isTrue();

        rt.setUp(dev, false);
        assertThat(host.run("ip", "-j", "link", "show", "tun0").stdout()).doesNotContainPattern("\"flags\":\\[[^]]*\"UP\"");
        assertThat(rt.link(dev)).extracting(Link::up, Link::mtu).containsExactly(false, 1380);
    }

    @Test
    void addsAndRemovesIpv4AndIpv6Addresses() throws Exception {
        rt.addAddress(dev, "10.72.1.1/24");
        rt.addAddress(dev, "fd72::1/64");
        String shown = host.run("ip", "-j", "addr", "show", "dev", "tun0").stdout();
        assertThat(shown).contains("\"local\":\"10.72.1.1\",\"prefixlen\":24")
                .contains("\"local\":\"fd72::1\",\"prefixlen\":64");
        assertThat(rt.addresses(dev)).contains(LinkAddress.parse(dev, "10.72.1.1/24"), LinkAddress.parse(dev, "fd72::1/64"));

        assertThatThrownBy(() -> rt.addAddress(dev, "10.72.1.1/24"))
                .isInstanceOf(LinuxException.class)
                .hasMessageStartingWith("RTM_NEWADDR(dev " + dev + ", 10.72.1.1/24): EEXIST (File exists)");

        rt.removeAddress(dev, "10.72.1.1/24");
        rt.removeAddress(dev, "fd72::1/64");
        shown = host.run("ip", "-j", "addr", "show", "dev", "tun0").stdout();
        assertThat(shown).doesNotContain("10.72.1.1").doesNotContain("fd72::1");
        assertThat(rt.addresses(dev)).isEmpty();
    }

    @Test
    void addsAndRemovesRoutesInMainAndNumberedTables() throws Exception {
        rt.addAddress(dev, "10.72.2.1/24");
        rt.addAddress(dev, "fd72:2::1/64");
        rt.setUp(dev, true);

        rt.addRoute(Route.to("10.73.0.0/16").dev(dev));
        rt.addRoute(Route.to("10.74.0.0/16").via("10.72.2.2").dev(dev).table(1234));
        rt.addRoute(Route.to("fd73::/48").dev(dev).table(1234));

        assertThat(host.run("ip", "route", "show", "table", "main").stdout())
                .contains("10.73.0.0/16 dev tun0 scope link");
        String table = host.run("ip", "route", "show", "table", "1234").stdout();
        assertThat(table).contains("10.74.0.0/16 via 10.72.2.2 dev tun0");
        assertThat(host.run("ip", "-6", "route", "show", "table", "1234").stdout()).contains("fd73::/48 dev tun0");

        assertThatThrownBy(() -> rt.addRoute(Route.to("10.73.0.0/16").dev(dev)))
                .isInstanceOf(LinuxException.class)
                .hasMessageStartingWith("RTM_NEWROUTE(10.73.0.0/16 dev " + dev + " table 254): EEXIST (File exists)");

        assertThatThrownBy(() -> rt.addRoute(Route.to("10.76.0.0/16").via("10.99.0.1")))
                .isInstanceOf(LinuxException.class)
                .hasMessageStartingWith("RTM_NEWROUTE(10.76.0.0/16 via 10.99.0.1 table 254): ENETUNREACH (Network is unreachable)"
                        + " — kernel: "); // the kernel's extended ack text follows

        rt.removeRoute(Route.to("10.73.0.0/16").dev(dev));
        rt.removeRoute(Route.to("10.74.0.0/16").via("10.72.2.2").dev(dev).table(1234));
        rt.removeRoute(Route.to("fd73::/48").dev(dev).table(1234));
        assertThat(host.run("ip", "route", "show", "table", "main").stdout()).doesNotContain("10.73.0.0");
        assertThat(host.exec("ip", "route", "show", "table", "1234").stdout()).isBlank();
        assertThatThrownBy(() -> rt.removeRoute(Route.to("10.73.0.0/16").dev(dev)))
                .isInstanceOf(LinuxException.class)
                .hasMessage("RTM_DELROUTE(10.73.0.0/16 dev " + dev + " table 254): ESRCH (No such process)"
                        + " — the table has no such route");
        assertThat(host.exec("ip", "-6", "route", "show", "table", "1234").stdout()).isBlank();
    }

    @Test
    void withoutCapNetAdminChangesFailWithEpermAndAHint() {
        assertThatThrownBy(() -> NetNs.call(host.netns(), () -> {
            Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_ADMIN);
            try (RtNetlink unprivileged = RtNetlink.open()) {
                assertThat(unprivileged.link("tun0").index()).as("reading needs no privilege").isEqualTo(dev);
                unprivileged.addAddress(dev, "10.72.3.1/24");
            }
            return null;
        })).isInstanceOf(LinuxException.class)
                .hasMessage("RTM_NEWADDR(dev " + dev + ", 10.72.3.1/24): EPERM (Operation not permitted)"
                        + " — changing links, addresses or routes needs CAP_NET_ADMIN (run as root or grant the capability)");
        assertThat(host.run("ip", "addr", "show", "dev", "tun0").stdout()).doesNotContain("10.72.3.1");
    }

    @Test
    void routeNeedsAGatewayOrAnInterface() {
        assertThatThrownBy(() -> rt.addRoute(Route.to("10.75.0.0/16")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a gateway or an interface");
        assertThat(Route.to("10.75.0.0/16").via(InetAddress.ofLiteral("10.0.0.1")).table(70000).toString())
                .isEqualTo("10.75.0.0/16 via 10.0.0.1 table 70000");
    }
}
