package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.tun.TunDevice;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RouteTable} against {@code ip route} in a namespace. */
@RequiresRoot
@RequiresTools("ip")
class RouteTableTest {
    private static final long TABLE = 70000; // above 255: only RTA_TABLE carries it

    private Lab lab;
    private Host host;
    private TunDevice tun;
    private RouteTable table;

    @BeforeEach
    void setUp() throws Exception {
        lab = Lab.open();
        host = lab.host("rt");
        tun = NetNs.call(host.netns(), () -> TunDevice.open("rt0"));
        try (RtNetlink rt = NetNs.call(host.netns(), RtNetlink::open)) {
            rt.addAddress(tun.index(), "10.73.0.1/24");
            rt.setUp(tun.index(), true);
        }
        host.run("ip", "-6", "addr", "add", "fd73::1/64", "dev", "rt0", "nodad");
        table = NetNs.call(host.netns(), () -> RouteTable.open(TABLE));
    }

    @AfterEach
    void tearDown() {
        if (table != null) {
            table.close();
        }
        if (tun != null) {
            tun.close();
        }
        lab.close();
    }

    @Test
    void addsListsAndRemovesRoutesWithTheirProtocol() throws Exception {
        int dev = tun.index();
        table.add(Route.to("10.80.0.0/16").via("10.73.0.2").dev(dev).table(TABLE), 98);
        table.add(Route.to("fd80::/48").via("fd73::2").dev(dev).table(TABLE), 98);
        host.run("ip", "route", "add", "10.81.0.0/16", "via", "10.73.0.3", "dev", "rt0", "table", Long.toString(TABLE),
                "proto", "bird");
        host.run("ip", "route", "add", "10.82.0.0/16", "via", "10.73.0.3", "dev", "rt0"); // main table: not listed

        assertThat(host.run("ip", "route", "show", "table", Long.toString(TABLE), "proto", "98").stdout())
                .contains("10.80.0.0/16 via 10.73.0.2 dev rt0");
        List<String> listed = table.routes().stream().map(RouteChange::toString).toList();
        assertThat(listed).containsExactly(
                "10.80.0.0/16 via 10.73.0.2 dev " + dev + " table " + TABLE + " type 1 proto 98",
                "10.81.0.0/16 via 10.73.0.3 dev " + dev + " table " + TABLE + " type 1 proto 12",
                "fd80:0:0:0:0:0:0:0/48 via fd73:0:0:0:0:0:0:2 dev " + dev + " table " + TABLE + " type 1 proto 98");

        assertThatThrownBy(() -> table.add(Route.to("10.81.0.0/16").dev(dev).table(TABLE), 98))
                .isInstanceOfSatisfying(LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
                .hasMessageStartingWith("RTM_NEWROUTE(10.81.0.0/16 dev " + dev + " table " + TABLE + " proto 98): EEXIST");
        assertThatThrownBy(() -> table.add(Route.to("10.83.0.0/16").dev(dev), 98))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not for table " + TABLE);

        table.remove(Route.to("10.80.0.0/16").via("10.73.0.2").dev(dev).table(TABLE), 98);
        assertThatThrownBy(() -> table.remove(Route.to("10.80.0.0/16").dev(dev).table(TABLE), 98))
                .isInstanceOfSatisfying(LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH))
                .hasMessageContaining("the table has no such route");
        // bird's route equal to one of ours but for its protocol is not ours to delete
        assertThatThrownBy(() -> table.remove(Route.to("10.81.0.0/16").via("10.73.0.3").dev(dev).table(TABLE), 98))
                .isInstanceOfSatisfying(LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH))
                .hasMessageStartingWith("RTM_DELROUTE(10.81.0.0/16 via 10.73.0.3 dev " + dev + " table " + TABLE + " proto 98)");
        host.run("ip", "-6", "route", "add", "fd81::/48", "via", "fd73::3", "dev", "rt0", "table", Long.toString(TABLE),
                "proto", "static");
        assertThatThrownBy(() -> table.remove(Route.to("fd81::/48").via("fd73::3").dev(dev).table(TABLE), 98))
                .isInstanceOfSatisfying(LinuxException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
        host.run("ip", "-6", "route", "del", "fd81::/48", "table", Long.toString(TABLE));
        assertThat(table.routes()).extracting(c -> c.route().destination()).containsExactly(
                InetAddress.ofLiteral("10.81.0.0"), InetAddress.ofLiteral("fd80::"));
        assertThat(table.malformedMessages()).isZero();
    }

    @Test
    void aWatchSeesTheTablesChangesAndNoOtherTables() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RouteTable.Watch w = NetNs.call(host.netns(), () -> table.watch(c -> seen.add(
                (c.removed() ? "-" : "+") + c.route().destination().getHostAddress() + "/" + c.route().prefixLength()
                        + " proto " + c.protocol()), () -> seen.add("overrun")));
        try {
            String t = Long.toString(TABLE);
            host.run("ip", "route", "add", "10.90.0.0/16", "via", "10.73.0.2", "dev", "rt0"); // main: not ours
            host.run("ip", "route", "add", "10.91.0.0/16", "via", "10.73.0.2", "dev", "rt0", "table", t, "proto", "static");
            table.add(Route.to("10.92.0.0/16").dev(tun.index()).table(TABLE), 98);
            host.run("ip", "-6", "route", "add", "fd91::/48", "via", "fd73::2", "dev", "rt0", "table", t);
            host.run("ip", "route", "del", "10.91.0.0/16", "table", t);
            Waiter.until("four changes", Duration.ofSeconds(10), () -> seen.size() >= 4);
            assertThat(seen).containsExactly("+10.91.0.0/16 proto 4", "+10.92.0.0/16 proto 98", "+fd91:0:0:0:0:0:0:0/48 proto 3",
                    "-10.91.0.0/16 proto 4");
            assertThat(w.malformedMessages()).isZero();
            assertThat(w.failure()).isNull();
        } finally {
            w.close();
        }
    }
}
