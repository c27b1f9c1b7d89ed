package org.cunicu4j.daemon.rtsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.netlink.RouteTable;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.linux.tun.TunDevice;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RouteSync} on a TUN device in a namespace, checked with {@code ip route}. */
@RequiresRoot
@RequiresTools("ip")
class RouteSyncLabTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final long TABLE = 1234; // above 255: carried in RTA_TABLE only
    static final Key A = Key.generatePrivate().publicKey();
    static final Key B = Key.generatePrivate().publicKey();

    private Lab lab;
    private Host host;
    private TunDevice tun;
    private RouteTable table;
    private RouteSync sync;
    private final List<String> sink = new CopyOnWriteArrayList<>();

    private final AllowedIpSink recorder = new AllowedIpSink() {
        @Override
        public void addAllowedIp(Key peer, IpPrefix prefix) {
            sink.add("add " + name(peer) + " " + prefix);
        }

        @Override
        public void removeAllowedIp(Key peer, IpPrefix prefix) {
            sink.add("remove " + name(peer) + " " + prefix);
        }
    };

    private static String name(Key k) {
        return k.equals(A) ? "A" : k.equals(B) ? "B" : k.toString();
    }

    @BeforeEach
    void setUp() throws Exception {
        lab = Lab.open();
        host = lab.host("rs");
        tun = NetNs.call(host.netns(), () -> TunDevice.open("rs0"));
        try (RtNetlink rt = NetNs.call(host.netns(), RtNetlink::open)) {
            rt.addAddress(tun.index(), "10.237.0.1/16");
            rt.setUp(tun.index(), true);
        }
        host.run("ip", "-6", "addr", "add", "fc2f:9a4d::1/32", "dev", "rs0", "nodad");
        table = NetNs.call(host.netns(), () -> RouteTable.open(TABLE));
    }

    @AfterEach
    void tearDown() {
        if (sync != null) {
            sync.close();
        }
        if (table != null) {
            table.close();
        }
        if (tun != null) {
            tun.close();
        }
        lab.close();
    }

    private RouteSync start(boolean watch) throws Exception {
        sync = new RouteSync(new RouteSync.Settings(TABLE, watch), "rs0", tun.index(), table, recorder);
        NetNs.call(host.netns(), () -> {
            sync.start();
            return null;
        });
        return sync;
    }

    private List<String> routes() {
        // exec, not run: "ip -6 route show table T" fails while the table has no IPv6 route
        String v4 = host.exec("ip", "route", "show", "table", Long.toString(TABLE)).stdout();
        String v6 = host.exec("ip", "-6", "route", "show", "table", Long.toString(TABLE)).stdout();
        return (v4 + v6).lines().map(String::strip).map(l -> l.replace(" metric 1024", "").replace(" pref medium", ""))
                .filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static List<InetAddress> addrs(String... s) {
        return java.util.Arrays.stream(s).map(InetAddress::ofLiteral).toList();
    }

    private static List<IpPrefix> prefixes(String... s) {
        return java.util.Arrays.stream(s).map(IpPrefix::parse).toList();
    }

    @Test
    void aRouteForEachAllowedIpViaThePeersAddressFollowingThePeer() throws Exception {
        host.run("ip", "route", "add", "10.99.0.0/16", "dev", "rs0", "table", Long.toString(TABLE), "proto", "98"); // a crashed run's
        RouteSync rs = start(false);
        assertThat(routes()).isEmpty();

        rs.peerUpdated(A, addrs("10.237.5.5", "fc2f:9a4d::5:5"),
                prefixes("10.237.5.5/32", "192.168.50.0/24", "fd00:50::/64", "fc2f:9a4d::5:5/128"));
        assertThat(routes()).containsExactly(
                "10.237.5.5 dev rs0 proto 98 scope link",
                "192.168.50.0/24 via 10.237.5.5 dev rs0 proto 98",
                "fc2f:9a4d::5:5 dev rs0 proto 98",
                "fd00:50::/64 via fc2f:9a4d::5:5 dev rs0 proto 98");

        rs.peerUpdated(A, addrs("10.237.5.5", "fc2f:9a4d::5:5"), prefixes("10.237.5.5/32", "192.168.60.1/24"));
        assertThat(routes()).containsExactly(
                "10.237.5.5 dev rs0 proto 98 scope link",
                "192.168.60.0/24 via 10.237.5.5 dev rs0 proto 98");

        host.run("ip", "route", "add", "192.168.70.0/24", "dev", "rs0", "table", Long.toString(TABLE)); // someone's
        rs.peerUpdated(B, addrs("10.237.6.6"), prefixes("10.237.6.6/32", "192.168.70.0/24"));
        assertThat(routes()).contains("192.168.70.0/24 dev rs0 scope link"); // left alone, not replaced
        assertThat(rs.errors()).isZero();

        rs.peerUpdated(A, addrs("10.237.5.9"), prefixes("10.237.5.9/32", "192.168.60.0/24")); // a new key: a new address
        assertThat(routes()).containsExactly(
                "10.237.5.9 dev rs0 proto 98 scope link",
                "10.237.6.6 dev rs0 proto 98 scope link",
                "192.168.60.0/24 via 10.237.5.9 dev rs0 proto 98",
                "192.168.70.0/24 dev rs0 scope link");

        rs.peerRemoved(A);
        assertThat(routes()).containsExactly("10.237.6.6 dev rs0 proto 98 scope link", "192.168.70.0/24 dev rs0 scope link");
        rs.close();
        assertThat(routes()).containsExactly("192.168.70.0/24 dev rs0 scope link");
        assertThat(sink).isEmpty();
    }

    @Test
    void routesViaAPeersAddressExtendItsAllowedIpsWhileTheyExist() throws Exception {
        String t = Long.toString(TABLE);
        host.run("ip", "route", "add", "172.20.0.0/16", "via", "10.237.6.6", "dev", "rs0", "table", t); // before B is known
        RouteSync rs = start(true);
        rs.peerUpdated(A, addrs("10.237.5.5", "fc2f:9a4d::5:5"), prefixes("10.237.5.5/32", "192.168.50.0/24"));

        host.run("ip", "route", "add", "172.16.0.0/16", "via", "10.237.9.9", "dev", "rs0", "table", t); // nobody's address
        host.run("ip", "route", "add", "192.168.50.128/25", "via", "10.237.5.5", "dev", "rs0", "table", t); // covered already
        host.run("ip", "route", "add", "172.17.0.0/16", "via", "10.237.5.5", "dev", "rs0"); // main table
        host.run("ip", "-6", "route", "add", "fd00:17::/48", "via", "fc2f:9a4d::5:5", "dev", "rs0", "table", t);
        host.run("ip", "route", "add", "172.18.0.0/16", "via", "10.237.5.5", "dev", "rs0", "table", t, "proto", "bird");
        Waiter.until("two allowed IPs learned", WAIT, () -> sink.size() >= 2);
        assertThat(sink).containsExactly("add A fd00:17:0:0:0:0:0:0/48", "add A 172.18.0.0/16");

        rs.peerUpdated(B, addrs("10.237.6.6"), prefixes("10.237.6.6/32"));
        assertThat(sink).endsWith("add B 172.20.0.0/16"); // found by the read that follows a new peer

        host.run("ip", "route", "del", "172.18.0.0/16", "table", t);
        Waiter.until("the allowed IP goes with its route", WAIT, () -> sink.contains("remove A 172.18.0.0/16"));
        host.run("ip", "route", "del", "192.168.50.128/25", "table", t); // never learned: nothing to remove
        host.run("ip", "route", "del", "172.20.0.0/16", "table", t);
        Waiter.until("B's too", WAIT, () -> sink.contains("remove B 172.20.0.0/16"));
        assertThat(sink).containsExactly("add A fd00:17:0:0:0:0:0:0/48", "add A 172.18.0.0/16", "add B 172.20.0.0/16",
                "remove A 172.18.0.0/16", "remove B 172.20.0.0/16");

        // the daemon applies a learned allowed IP: it gets no route of ours, and stays learned
        rs.peerUpdated(A, addrs("10.237.5.5", "fc2f:9a4d::5:5"), prefixes("10.237.5.5/32", "192.168.50.0/24", "fd00:17::/48"));
        assertThat(routes()).contains("fd00:17::/48 via fc2f:9a4d::5:5 dev rs0");
        host.run("ip", "-6", "route", "del", "fd00:17::/48", "table", t);
        Waiter.until("the v6 one goes too", WAIT, () -> sink.contains("remove A fd00:17:0:0:0:0:0:0/48"));
        assertThat(rs.errors()).isZero();
    }

    @Test
    @org.junit.jupiter.api.Disabled("open bug (issue 9, RouteSync not wired into the daemon yet): after this churn the watch sometimes stops delivering route events — a sentinel route added afterwards is never seen — so the last learned prefixes are not removed; to be found before rtsync is wired in")
    void resyncsRacingTheWatchGiveTheSinkEachPrefixsAddsAndRemovesInTurnOneCallAtATime() throws Exception {
        String t = Long.toString(TABLE);
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        List<String> calls = new CopyOnWriteArrayList<>();
        AllowedIpSink checking = new AllowedIpSink() {
            private void call(String what) {
                if (inFlight.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                calls.add(what);
                for (int i = 0; i < 50; i++) {
                    Thread.yield(); // widen the window a racing caller would need
                }
                inFlight.decrementAndGet();
            }

            @Override
            public void addAllowedIp(Key peer, IpPrefix prefix) {
                call("add " + prefix);
            }

            @Override
            public void removeAllowedIp(Key peer, IpPrefix prefix) {
                call("remove " + prefix);
            }
        };
        sync = new RouteSync(new RouteSync.Settings(TABLE, true), "rs0", tun.index(), table, checking);
        NetNs.call(host.netns(), () -> {
            sync.start();
            return null;
        });
        sync.peerUpdated(A, addrs("10.237.5.5"), prefixes("10.237.5.5/32"));
        StringBuilder batch = new StringBuilder();
        for (int round = 0; round < 40; round++) {
            for (int n = 0; n < 5; n++) {
                batch.append("route add 172.21.").append(n).append(".0/24 via 10.237.5.5 dev rs0 table ").append(t).append('\n');
            }
            for (int n = 0; n < 5; n++) {
                batch.append("route del 172.21.").append(n).append(".0/24 table ").append(t).append('\n');
            }
        }
        java.nio.file.Path file = java.nio.file.Files.createTempFile("rtsync-churn", ".batch");
        try {
            java.nio.file.Files.writeString(file, batch);
            Thread churn = Thread.ofVirtual().start(() -> host.run("ip", "-batch", file.toString()));
            while (churn.isAlive()) {
                sync.resync();
            }
            churn.join();
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
        sync.resync(); // every route is gone: whatever is still learned goes
        assertThat(overlaps.get()).as("sink calls that overlapped").isZero();
        java.util.Map<String, String> last = new java.util.HashMap<>();
        for (String c : calls) {
            String[] w = c.split(" ");
            String before = last.put(w[1], w[0]);
            assertThat(w[0]).as("%s after %s in %s", c, before, calls).isEqualTo("remove".equals(before) || before == null ? "add" : "remove");
        }
        assertThat(last.values()).as("%s", calls).containsOnly("remove");
        assertThat(last).isNotEmpty();
        assertThat(sync.errors()).isZero();
    }
}
