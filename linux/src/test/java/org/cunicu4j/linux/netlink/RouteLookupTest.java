package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.List;
import java.util.Optional;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.tun.TunDevice;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RtNetlink#routeGet} and {@link RtNetlink#routes} against what {@code ip route} set up in a namespace. */
@RequiresRoot
@RequiresTools("ip")
class RouteLookupTest {
    private Lab lab;
    private Host host;
    private TunDevice tun;
    private RtNetlink rt;
    private int dev;

    @BeforeEach
    void setUp() throws Exception {
        lab = Lab.open();
        host = lab.host("rl");
        tun = NetNs.call(host.netns(), () -> TunDevice.open("tun0"));
        rt = NetNs.call(host.netns(), RtNetlink::open);
        dev = tun.index();
        rt.addAddress(dev, "10.72.5.1/24");
        rt.setUp(dev, true);
        host.run("ip", "-6", "addr", "add", "fd72:5::1/64", "dev", "tun0", "nodad");
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
    void routeGetFindsTheGatewayTheDeviceAndTheMtuMetric() throws Exception {
        host.run("ip", "route", "add", "10.90.0.0/16", "via", "10.72.5.2", "dev", "tun0");
        host.run("ip", "route", "add", "10.91.0.0/16", "dev", "tun0", "mtu", "1300");
        host.run("ip", "-6", "route", "add", "fd90::/48", "via", "fd72:5::2", "dev", "tun0", "mtu", "1350");

        RouteEntry via = rt.routeGet(InetAddress.ofLiteral("10.90.1.1")).orElseThrow();
        assertThat(via.route().linkIndex()).isEqualTo(dev);
        assertThat(via.route().gateway()).isEqualTo(InetAddress.ofLiteral("10.72.5.2"));
        assertThat(via.route().destination()).isEqualTo(InetAddress.ofLiteral("10.90.1.1"));
        assertThat(via.route().prefixLength()).isEqualTo(32);
        assertThat(via.mtu()).isZero();
        assertThat(via.preferredSource()).isEqualTo(InetAddress.ofLiteral("10.72.5.1"));
        assertThat(via.isUnicast()).isTrue();

        assertThat(rt.routeGet(InetAddress.ofLiteral("10.91.7.7")).orElseThrow().mtu()).isEqualTo(1300);
        RouteEntry v6 = rt.routeGet(InetAddress.ofLiteral("fd90::9")).orElseThrow();
        assertThat(v6.mtu()).isEqualTo(1350);
        assertThat(v6.route().linkIndex()).isEqualTo(dev);
        assertThat(v6.route().gateway()).isEqualTo(InetAddress.ofLiteral("fd72:5::2"));

        RouteEntry local = rt.routeGet(InetAddress.ofLiteral("10.72.5.1")).orElseThrow();
        assertThat(local.type()).isEqualTo(RouteEntry.LOCAL);
        assertThat(rt.malformedMessages()).isZero();
    }

    @Test
    void withoutARouteTheLookupIsEmpty() throws Exception {
        assertThat(rt.routeGet(InetAddress.ofLiteral("192.0.2.1"))).isEmpty();
        Optional<RouteEntry> v6 = rt.routeGet(InetAddress.ofLiteral("2001:db8::1"));
        assertThat(v6.filter(RouteEntry::isUnicast)).isEmpty();
    }

    @Test
    void routesListsEveryTableWithDefaultRoutesAndMetrics() throws Exception {
        host.run("ip", "route", "add", "default", "via", "10.72.5.2", "dev", "tun0", "mtu", "1280");
        host.run("ip", "route", "add", "10.92.0.0/16", "dev", "tun0", "table", "1234");
        host.run("ip", "-6", "route", "add", "default", "via", "fd72:5::2", "dev", "tun0");

        List<RouteEntry> v4 = rt.routes(StandardProtocolFamily.INET);
        assertThat(v4).filteredOn(r -> r.isDefault() && r.route().table() == Route.TABLE_MAIN)
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.route().gateway()).isEqualTo(InetAddress.ofLiteral("10.72.5.2"));
                    assertThat(r.route().linkIndex()).isEqualTo(dev);
                    assertThat(r.mtu()).isEqualTo(1280);
                    assertThat(r.isUnicast()).isTrue();
                });
        assertThat(v4).extracting(r -> r.route().toString())
                .contains("10.92.0.0/16 dev " + dev + " table 1234", "10.72.5.0/24 dev " + dev + " table 254");
        assertThat(v4).anyMatch(r -> r.type() == RouteEntry.LOCAL && r.route().table() == 255);

        List<RouteEntry> v6 = rt.routes(StandardProtocolFamily.INET6);
        assertThat(v6).filteredOn(r -> r.isDefault() && r.route().table() == Route.TABLE_MAIN && r.isUnicast())
                .singleElement()
                .satisfies(r -> assertThat(r.route().gateway()).isEqualTo(InetAddress.ofLiteral("fd72:5::2")));
        assertThat(v6).allMatch(r -> !r.route().destination().getClass().equals(java.net.Inet4Address.class));
        assertThat(rt.malformedMessages()).isZero();
    }
}
