package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.daemon.DaemonTests.iface;
import static org.cunicu4j.daemon.DaemonTests.peer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.autocfg.DerivedAddresses;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One daemon in one namespace, without a second node: what it does to devices and
 * interfaces. Our device gets the configuration (key, port, peers, address, link up) and
 * disappears on close; the watcher follows peers added and removed with {@code wg}; a second
 * daemon on the interface or on the control socket is refused; an existing wireguard-go device
 * is adopted with the user-space proxy when the kernel modes are unavailable (the reason
 * naming each), also when it appears later under a glob key, and is left running on close;
 * our device with a kernel mode forced runs as an external device under that mode, and is
 * refused and removed again when the mode cannot serve. Without a private key, our device gets
 * a generated one, the addresses derived from it for each of {@code prefixes} next to the
 * static ones, and every peer its derived addresses in its allowed IPs.
 */
@RequiresRoot
@RequiresTools({"ip", "wg", "wireguard-go"})
class DaemonLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final long pid = ProcessHandle.current().pid();

    private Path write(String name, String yaml) throws Exception {
        return DaemonTests.writeConfig(dir, name, yaml);
    }

    private Daemon start(Host host, Path file, String... overrides) throws Exception {
        return DaemonTests.start(host, file, dir.resolve("locks"), overrides);
    }

    /** A daemon whose external modes are {@link DaemonTests#kernelModesOff()}: auto ends at the user-space proxy. */
    private Daemon startUserOnly(Host host, Path file, String... overrides) throws Exception {
        return DaemonTests.start(host, file, dir.resolve("locks"), DaemonTests.kernelModesOff(), overrides);
    }

    /** What auto's reason says with {@link DaemonTests#kernelModesOff()}. */
    private static final String USER_AFTER_FALLBACKS = "auto: nftables unavailable: " + DaemonTests.SWITCHED_OFF
            + "; iptables unavailable: " + DaemonTests.SWITCHED_OFF + "; raw unavailable: " + DaemonTests.SWITCHED_OFF
            + "; chose user: ";

    @Test
    void ourDeviceIsConfiguredWatchedAndRemovedOnClose() throws Exception {
        Key key = Key.generatePrivate();
        Key p1 = Key.generatePrivate().publicKey();
        Key p2 = Key.generatePrivate().publicKey();
        Key psk = Key.generatePreshared();
        String ifname = "wgt" + pid + "a";
        Path socket = dir.resolve("d.sock");
        Path file = write("d", """
                backends: [inprocess:lifecycle-%d]
                watch_interval: 200ms
                rpc: {socket: %s}
                interfaces:
                  %s:
                    private_key: %s
                    listen_port: 51999
                    mtu: 1380
                    addresses: [10.98.0.1/24]
                    prefixes: []
                    peers:
                      one:
                        public_key: %s
                        preshared_key: %s
                        endpoint: 192.0.2.9:51820
                        allowed_ips: [10.98.0.2/32]
                        persistent_keepalive: 25
                """.formatted(pid, socket, ifname, key.toBase64(), p1.toBase64(), psk.toBase64()));
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            List<DaemonEvent> events = new CopyOnWriteArrayList<>();
            Path lock;
            try (Daemon d = start(h, file)) {
                d.watch(events::add);
                lock = dir.resolve("locks").resolve(ifname + ".lock");
                assertThat(lock).exists();
                assertThat(socket).exists();

                String dump = h.run("wg", "show", ifname, "dump").stdout();
                assertThat(dump).contains(key.toBase64() + "\t" + key.publicKey().toBase64() + "\t51999");
                assertThat(dump).contains(p1.toBase64() + "\t" + psk.toBase64() + "\t192.0.2.9:51820\t10.98.0.2/32");
                assertThat(dump).contains("\t25\n");
                String link = h.run("ip", "-o", "addr", "show", "dev", ifname).stdout();
                assertThat(link).contains("10.98.0.1/24");
                String up = h.run("ip", "-o", "link", "show", "dev", ifname).stdout();
                assertThat(up).contains("mtu 1380").contains(",UP");

                InterfaceStatus st = iface(d, ifname);
                assertThat(st.device()).isEqualTo("cunicu4j");
                assertThat(st.publicKey()).isEqualTo(key.publicKey());
                assertThat(st.listenPort()).isEqualTo(51999);
                assertThat(st.proxyMode()).isEqualTo(ProxyMode.BIND);
                assertThat(st.proxyReason()).startsWith("auto: ");
                assertThat(st.toString()).doesNotContain(key.toBase64());
                assertThat(peer(d, ifname, p1).name()).isEqualTo("one");
                assertThat(peer(d, ifname, p1).endpoint()).isEqualTo("192.0.2.9:51820");

                // a second daemon: refused on the interface, and on the control socket
                assertThatThrownBy(() -> start(h, file, "rpc.socket=" + dir.resolve("other.sock")))
                        .isInstanceOf(DaemonException.class)
                        .hasMessageContaining("interface " + ifname + " is already managed by cunicu4j daemon pid " + pid);
                assertThatThrownBy(() -> start(h, file))
                        .isInstanceOf(DaemonException.class)
                        .hasMessageContaining("rpc.socket " + socket + ": another daemon serves it");
                assertThat(socket).as("the refused daemon left the socket alone").exists();
                assertThat(lock).as("the refused daemon left the lock alone").exists();

                // the watcher follows wg
                h.run("wg", "set", ifname, "peer", p2.toBase64(), "allowed-ips", "10.98.0.3/32");
                Waiter.until("the peer added with wg shows up", WAIT, () -> peer(d, ifname, p2) != null);
                h.run("wg", "set", ifname, "peer", p1.toBase64(), "remove");
                Waiter.until("the peer removed with wg leaves", WAIT, () -> peer(d, ifname, p1) == null);
                d.sync();
                Waiter.until("events for both", WAIT, () -> events.stream().anyMatch(e ->
                        e.type() == DaemonEvent.Type.PEER_ADDED && p2.equals(e.peer()))
                        && events.stream().anyMatch(e -> e.type() == DaemonEvent.Type.PEER_REMOVED && p1.equals(e.peer())));
            }
            assertThat(h.exec("ip", "link", "show", ifname).ok()).as("our interface is removed").isFalse();
            assertThat(lock).doesNotExist();
            assertThat(socket).doesNotExist();
        }
    }

    @Test
    void withoutAPrivateKeyOurDeviceGetsAGeneratedKeyAndTheDerivedAddresses() throws Exception {
        Key p1 = Key.generatePrivate().publicKey();
        Key p2 = Key.generatePrivate().publicKey();
        String ifname = "wgt" + pid + "z";
        List<IpPrefix> prefixes = List.of(IpPrefix.parse("fd42:77::/32"), IpPrefix.parse("10.77.0.0/16"));
        Path file = write("z", """
                backends: [inprocess:lifecycle-z-%d]
                watch_interval: 200ms
                rpc: {socket: %s}
                interfaces:
                  %s:
                    addresses: [10.98.5.1/24]
                    prefixes: [fd42:77::/32, 10.77.0.0/16]
                    peers:
                      one: {public_key: %s, allowed_ips: [10.98.5.2/32]}
                """.formatted(pid, dir.resolve("z.sock"), ifname, p1.toBase64()));
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            try (Daemon d = start(h, file)) {
                InterfaceStatus st = iface(d, ifname);
                assertThat(st.device()).isEqualTo("cunicu4j");
                Key pub = st.publicKey();
                assertThat(pub).isNotNull();
                String[] dump = h.run("wg", "show", ifname, "dump").stdout().split("\n")[0].split("\t");
                Key priv = Key.parse(dump[0], Key.Type.PRIVATE);
                assertThat(priv.publicKey()).as("the device holds the generated key").isEqualTo(pub);
                assertThat(dump[1]).isEqualTo(pub.toBase64());
                assertThat(st.toString()).doesNotContain(priv.toBase64());

                List<IpPrefix> derived = DerivedAddresses.addresses(pub, prefixes);
                assertThat(derived).hasSize(2);
                assertThat(linkAddresses(h, ifname)).contains(IpPrefix.parse("10.98.5.1/24")).containsAll(derived)
                        .as("none of the default prefixes").noneMatch(a -> a.toString().startsWith("10.237."));
                String link = h.run("ip", "-o", "link", "show", "dev", ifname).stdout();
                assertThat(link).contains(",UP");
                int mtu = Integer.parseInt(link.replaceAll("(?s).* mtu (\\d+) .*", "$1"));
                assertThat(mtu).as("detected, at least the IPv6 minimum").isBetween(1280, 65535 - 80);

                // every peer, configured or added with wg, gets its derived addresses in its allowed IPs
                h.run("wg", "set", ifname, "peer", p2.toBase64(), "allowed-ips", "10.98.5.3/32");
                for (Key p : List.of(p1, p2)) {
                    List<IpPrefix> want = DerivedAddresses.hostPrefixes(p, prefixes);
                    Waiter.until("the derived addresses of " + p + " in its allowed IPs", WAIT,
                            () -> allowedIps(h, ifname, p).containsAll(want));
                }
                assertThat(allowedIps(h, ifname, p1)).contains(IpPrefix.parse("10.98.5.2/32"));
            }
            assertThat(h.exec("ip", "link", "show", ifname).ok()).as("our interface is removed").isFalse();
        }
    }

    /** The addresses on {@code ifname} as {@code ip -o addr} lists them. */
    private static List<IpPrefix> linkAddresses(Host h, String ifname) {
        List<IpPrefix> out = new java.util.ArrayList<>();
        for (String line : h.run("ip", "-o", "addr", "show", "dev", ifname).stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && (f[2].equals("inet") || f[2].equals("inet6"))) {
                out.add(IpPrefix.parse(f[3]));
            }
        }
        return out;
    }

    /** The allowed IPs of {@code peer} on {@code ifname} as {@code wg show dump} lists them. */
    private static List<IpPrefix> allowedIps(Host h, String ifname, Key peer) {
        List<IpPrefix> out = new java.util.ArrayList<>();
        for (String line : h.run("wg", "show", ifname, "dump").stdout().split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 4 && f[0].equals(peer.toBase64()) && !f[3].equals("(none)")) {
                for (String a : f[3].split(",")) {
                    out.add(IpPrefix.parse(a));
                }
            }
        }
        return out;
    }

    @Test
    void anExistingWireguardGoIsAdoptedWithTheUserspaceProxyAndLeftRunning() throws Exception {
        Key key = Key.generatePrivate();
        Key p1 = Key.generatePrivate().publicKey();
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            try (WireguardGo wgo = WireguardGo.start(h)) {
                String ifname = wgo.interfaceName();
                Path file = write("g", """
                        backends: [inprocess:adopt-%d]
                        rpc: {socket: %s}
                        interfaces:
                          %s:
                            private_key: %s
                            listen_port: 51998
                            peers:
                              one: {public_key: %s, allowed_ips: [10.97.0.2/32]}
                        """.formatted(pid, dir.resolve("g.sock"), ifname, key.toBase64(), p1.toBase64()));
                assertThatThrownBy(() -> start(h, file, "interfaces." + ifname + ".proxy=bind"))
                        .isInstanceOf(DaemonException.class)
                        .hasMessageContaining("proxy: bind needs our own device, but " + ifname + " is an existing");
                try (Daemon d = startUserOnly(h, file)) {
                    InterfaceStatus st = iface(d, ifname);
                    assertThat(st.device()).isEqualTo("userspace (uapi)");
                    assertThat(st.proxyMode()).isEqualTo(ProxyMode.USER);
                    assertThat(st.proxyReason()).as("every fallback in the reason").startsWith(USER_AFTER_FALLBACKS);
                    assertThat(st.listenPort()).isEqualTo(51998);
                    assertThat(peer(d, ifname, p1)).isNotNull();
                    assertThat(wgo.wg("show", ifname, "dump").stdout()).contains(key.toBase64(), p1.toBase64());

                    // the adopted device moves to another port: the user-space proxy's copy loops follow
                    assertThat(wgo.wg("set", ifname, "listen-port", "51997").ok()).isTrue();
                    d.sync();
                    org.cunicu4j.proxy.user.UserspaceProxy up = (org.cunicu4j.proxy.user.UserspaceProxy) d.sharing(ifname);
                    Waiter.until("the user-space proxy follows the new listen port", java.time.Duration.ofSeconds(20),
                            () -> up.listenPort() == 51997);
                    assertThat(iface(d, ifname).listenPort()).isEqualTo(51997);
                }
                assertThat(h.exec("ip", "link", "show", ifname).ok()).as("an adopted device keeps running").isTrue();
                assertThat(wgo.socket()).exists();
            }
        }
    }

    @Test
    void aDeviceAppearingUnderAGlobIsAdoptedAndItsRemovalTearsItDown() throws Exception {
        Key key = Key.generatePrivate();
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            Path file = write("glob", """
                    backends: [inprocess:glob-%d]
                    watch_interval: 200ms
                    rpc: {socket: %s}
                    private_key: %s
                    interfaces:
                      "%s*": {}
                    """.formatted(pid, dir.resolve("glob.sock"), key.toBase64(), WireguardGo.PREFIX + pid));
            try (Daemon d = startUserOnly(h, file)) {
                List<DaemonEvent> events = new CopyOnWriteArrayList<>();
                d.watch(events::add);
                assertThat(d.interfaceNames()).isEmpty();
                String ifname;
                try (WireguardGo wgo = WireguardGo.start(h)) {
                    ifname = wgo.interfaceName();
                    Waiter.until(ifname + " is adopted", WAIT, () -> d.interfaceNames().contains(ifname));
                    assertThat(iface(d, ifname).proxyMode()).isEqualTo(ProxyMode.USER);
                }
                Waiter.until(ifname + " is let go after it disappeared", WAIT, () -> !d.interfaceNames().contains(ifname));
                Waiter.until("the events", WAIT, () -> events.stream().anyMatch(e ->
                        e.type() == DaemonEvent.Type.INTERFACE_ADDED && ifname.equals(e.iface()))
                        && events.stream().anyMatch(e -> e.type() == DaemonEvent.Type.INTERFACE_REMOVED
                        && ifname.equals(e.iface())));
            }
        }
    }

    @Test
    void ourDeviceWithTheUserProxyForced() throws Exception {
        Key key = Key.generatePrivate();
        String ifname = "wgt" + pid + "u";
        Path file = write("u", """
                backends: [inprocess:user-%d]
                rpc: {socket: %s}
                proxy: user
                interfaces:
                  %s:
                    private_key: %s
                """.formatted(pid, dir.resolve("u.sock"), ifname, key.toBase64()));
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            try (Daemon d = start(h, file)) {
                InterfaceStatus st = iface(d, ifname);
                assertThat(st.device()).isEqualTo("cunicu4j");
                assertThat(st.proxyMode()).isEqualTo(ProxyMode.USER);
                assertThat(st.proxyReason()).isEqualTo("forced by proxy: user in " + file);
                assertThat(st.listenPort()).isBetween(51820, 51899);
            }
            assertThat(h.exec("ip", "link", "show", ifname).ok()).as("our interface is removed").isFalse();
        }
    }

    @Test
    void ourDeviceWithAKernelModeForcedRunsAsAnExternalDeviceUnderIt() throws Exception {
        Key key = Key.generatePrivate();
        String ifname = "wgt" + pid + "r";
        Path file = write("r", """
                backends: [inprocess:raw-%d]
                rpc: {socket: %s}
                proxy: raw
                interfaces:
                  %s:
                    private_key: %s
                """.formatted(pid, dir.resolve("r.sock"), ifname, key.toBase64()));
        List<String> opened = new CopyOnWriteArrayList<>();
        // a stand-in for the raw mode (the wiring is under test, not the mode): the user-space proxy reporting raw
        ExternalModeOpener fake = (mode, control, port) -> {
            opened.add(mode.configName() + " on " + control.name() + " port " + port
                    + (control instanceof org.cunicu4j.wireguard.device.Device ? " (our device)" : ""));
            return new RawStandIn(org.cunicu4j.proxy.user.UserspaceProxy.open(control, port));
        };
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            try (Daemon d = DaemonTests.start(h, file, dir.resolve("locks"), fake)) {
                InterfaceStatus st = iface(d, ifname);
                assertThat(st.device()).isEqualTo("cunicu4j");
                assertThat(st.proxyMode()).isEqualTo(ProxyMode.RAW);
                assertThat(st.proxyReason()).isEqualTo("forced by proxy: raw in " + file);
                assertThat(opened).containsExactly("raw on " + ifname + " port " + st.listenPort() + " (our device)");
                assertThat(h.run("wg", "show", ifname, "listen-port").stdout().strip())
                        .isEqualTo(Integer.toString(st.listenPort()));
            }
            assertThat(h.exec("ip", "link", "show", ifname).ok()).as("our interface is removed").isFalse();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "proxy: {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"raw", "nftables", "iptables"})
    @RequiresTools({"nft", "iptables-save", "ip6tables-save"})
    void ourDeviceUnderARealKernelModeForcedAndNothingLeftAfterClose(String mode) throws Exception {
        Key key = Key.generatePrivate();
        String ifname = "wgt" + pid + mode.charAt(0) + "k";
        Path file = write("k" + mode, """
                backends: [inprocess:k%s-%d]
                rpc: {socket: %s}
                proxy: %s
                interfaces:
                  %s:
                    private_key: %s
                """.formatted(mode, pid, dir.resolve("k" + mode + ".sock"), mode, ifname, key.toBase64()));
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            try (Daemon d = start(h, file)) {
                InterfaceStatus st = iface(d, ifname);
                assertThat(st.device()).isEqualTo("cunicu4j");
                assertThat(st.proxyMode()).isEqualTo(ProxyMode.fromConfigName(mode));
                assertThat(st.proxyReason()).isEqualTo("forced by proxy: " + mode + " in " + file);
                if (!mode.equals("raw")) {
                    assertThat(rules(h)).as("the mode's rules").contains(ifname);
                }
            }
            assertThat(rules(h)).as("no rule left").doesNotContain(ifname);
            assertThat(h.exec("ip", "link", "show", ifname).ok()).as("our interface is removed").isFalse();
        }
    }

    /** The nftables ruleset and iptables' (whichever backend) of {@code h}'s namespace. */
    private static String rules(Host h) {
        return h.run("nft", "list", "ruleset").stdout() + h.run("iptables-save").stdout()
                + h.run("ip6tables-save").stdout();
    }

    @Test
    void ourDeviceWithAForcedModeThatCannotServeIsRefusedNamingTheKeyAndFileAndRemoved() throws Exception {
        Key key = Key.generatePrivate();
        String ifname = "wgt" + pid + "n";
        Path file = write("n", """
                backends: [inprocess:nft-%d]
                rpc: {socket: %s}
                proxy: nftables
                interfaces:
                  %s:
                    private_key: %s
                """.formatted(pid, dir.resolve("n.sock"), ifname, key.toBase64()));
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            assertThatThrownBy(() -> DaemonTests.start(h, file, dir.resolve("locks"), DaemonTests.kernelModesOff()))
                    .isInstanceOf(DaemonException.class)
                    .hasMessageContaining("proxy: nftables in " + file + " cannot serve " + ifname)
                    .hasMessageContaining("nftables unavailable: " + DaemonTests.SWITCHED_OFF);
            assertThat(h.exec("ip", "link", "show", ifname).ok()).as("the device made for it is removed again").isFalse();
            assertThat(dir.resolve("locks").resolve(ifname + ".lock")).as("the lock is released").doesNotExist();
            assertThat(dir.resolve("n.sock")).as("the control socket is closed").doesNotExist();
        }
    }

    /** The user-space proxy under another mode's name: lets the daemon's wiring of a forced mode be tested alone. */
    private record RawStandIn(org.cunicu4j.proxy.user.UserspaceProxy delegate) implements org.cunicu4j.proxy.ExternalPortSharing {
        @Override
        public ProxyMode mode() {
            return ProxyMode.RAW;
        }

        @Override
        public String reason() {
            return "a stand-in for the raw mode";
        }

        @Override
        public List<org.cunicu4j.ice.Gatherer> gatherers(org.cunicu4j.proxy.GatherSettings settings) {
            return delegate.gatherers(settings);
        }

        @Override
        public org.cunicu4j.proxy.PeerProxy attach(Key peer, org.cunicu4j.ice.IceAgent agent) throws java.io.IOException {
            return delegate.attach(peer, agent);
        }

        @Override
        public void listenPortChanged(int port) {
            delegate.listenPortChanged(port);
        }

        @Override
        public int listenPort() {
            return delegate.listenPort();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
