package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WgShowCommandTest {
    @TempDir
    Path dir;

    private static Key key(int b, Key.Type type) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        k[0] = 0x40;
        return Key.of(k, type);
    }

    @Test
    void prettyFormIsWgsText() {
        Key priv = key(1, Key.Type.PRIVATE);
        Instant now = Instant.ofEpochSecond(1_000_000_000L);
        PeerStatus old = new PeerStatus(key(2, Key.Type.PUBLIC), null, new InetSocketAddress("192.0.2.1", 51820), 0,
                List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64")), now.minusSeconds(3 * 86400 + 3600 + 1),
                1023, 1024 * 1024 * 5 + 1024 * 512, 1);
        PeerStatus fresh = new PeerStatus(key(3, Key.Type.PUBLIC), key(4, Key.Type.PRESHARED),
                new InetSocketAddress("2001:db8::1", 9), 60, List.of(), now.minusSeconds(61), 0, 2048, 1);
        PeerStatus never = new PeerStatus(key(5, Key.Type.PUBLIC), null, null, 1, List.of(), null, 0, 0, 1);
        DeviceStatus s = new DeviceStatus(priv, 51820, 0x2a, List.of(never, old, fresh));
        assertThat(WgShowFormat.pretty("wg0", s, now, false)).isEqualTo("""
                interface: wg0
                  public key: %s
                  private key: (hidden)
                  listening port: 51820
                  fwmark: 0x2a

                peer: %s
                  preshared key: (hidden)
                  endpoint: [2001:db8::1]:9
                  allowed ips: (none)
                  latest handshake: 1 minute, 1 second ago
                  transfer: 0 B received, 2.00 KiB sent
                  persistent keepalive: every 1 minute

                peer: %s
                  endpoint: 192.0.2.1:51820
                  allowed ips: 10.0.0.0/24, fd00::/64
                  latest handshake: 3 days, 1 hour, 1 second ago
                  transfer: 1023 B received, 5.50 MiB sent

                peer: %s
                  allowed ips: (none)
                  persistent keepalive: every 1 second
                """.formatted(priv.publicKey().toBase64(), key(3, Key.Type.PUBLIC).toBase64(),
                key(2, Key.Type.PUBLIC).toBase64(), key(5, Key.Type.PUBLIC).toBase64()));
        String colored = WgShowFormat.pretty("wg0", s, now, true);
        assertThat(colored).startsWith("\u001b[0m\u001b[32m\u001b[1minterface\u001b[0m: \u001b[32mwg0\u001b[0m\n")
                .contains("10.0.0.0\u001b[36m/\u001b[0m24").doesNotContain(priv.toBase64());
        assertThat(colored.replaceAll("\u001b\\[\\d+m", "")).isEqualTo(WgShowFormat.pretty("wg0", s, now, false));
        assertThat(WgShowFormat.pretty("wg1", new DeviceStatus(null, 0, 0, List.of()), now, false)).isEqualTo("interface: wg1\n");
    }

    @Test
    void dumpIsWgsText() {
        Key priv = key(1, Key.Type.PRIVATE);
        PeerStatus p = new PeerStatus(key(2, Key.Type.PUBLIC), key(4, Key.Type.PRESHARED), null, 0,
                List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64")), Instant.ofEpochSecond(77, 5), 1, 2, 1);
        assertThat(WgShowFormat.dump("wg0", new DeviceStatus(priv, 5, 0, List.of(p)), true)).isEqualTo(
                "wg0\t" + priv.toBase64() + "\t" + priv.publicKey().toBase64() + "\t5\toff\n"
                        + "wg0\t" + key(2, Key.Type.PUBLIC).toBase64() + "\t" + key(4, Key.Type.PRESHARED).toBase64()
                        + "\t(none)\t10.0.0.0/24,fd00::/64\t77\t1\t2\toff\n");
        assertThat(WgShowFormat.dump("wg0", new DeviceStatus(null, 0, 1, List.of()), false)).isEqualTo("(none)\t(none)\t0\t0x1\n");
    }

    @Test
    void aMissingDeviceIsAnErrorNamingIt() {
        CliRun r = CliRun.run("wg", "show", "c4jnosuchdev");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("show: no WireGuard device c4jnosuchdev: no UAPI socket /var/run/wireguard/c4jnosuchdev.sock");
        assertThat(CliRun.run("wg", "show", "x", "nodump").exitCode()).isEqualTo(2);
    }

    /** A stale socket (its device died) is removed and skipped, as wg does; the live devices are still shown. */
    @Test
    @RequiresRoot
    @RequiresTools({"ip", "wireguard-go"})
    void aStaleSocketIsSkippedAndRemoved() throws Exception {
        String stale = WireguardGo.newInterfaceName();
        Path staleSocket = Path.of("/var/run/wireguard/" + stale + ".sock");
        Files.createDirectories(staleSocket.getParent());
        try (java.nio.channels.ServerSocketChannel dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            dead.bind(java.net.UnixDomainSocketAddress.of(staleSocket));
        }
        try (Lab lab = Lab.open()) {
            WireguardGo live = WireguardGo.start(lab.host("a"));
            CliRun r = CliRun.run("wg", "show", "interfaces");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout().strip().split(" ")).contains(live.interfaceName()).doesNotContain(stale);
            assertThat(staleSocket).doesNotExist();
            Files.deleteIfExists(staleSocket);
            try (java.nio.channels.ServerSocketChannel dead = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                dead.bind(java.net.UnixDomainSocketAddress.of(staleSocket));
            }
            CliRun all = CliRun.run("wg", "show", "all", "dump");
            // (other tests' devices may vanish between the listing and their status: only ours are checked)
            assertThat(all.stdout()).contains(live.interfaceName() + "\t").doesNotContain(stale);
            assertThat(all.stderr()).doesNotContain(stale);
            CliRun one = CliRun.run("wg", "show", stale);
            assertThat(one.exitCode()).isEqualTo(1);
            assertThat(one.stderr()).startsWith("show: no WireGuard device " + stale + ": no UAPI socket");
        } finally {
            Files.deleteIfExists(staleSocket);
        }
    }

    /** Our output and wg's on the same wireguard-go device, after a handshake and traffic. */
    @Test
    @RequiresRoot
    @RequiresTools({"ip", "wireguard-go", "wg", "ping"})
    void printsWhatWgPrintsForWireguardGo() throws Exception {
        try (Lab lab = Lab.open()) {
            Host a = lab.host("a");
            Host b = lab.host("b");
            lab.link(a, "192.168.50.1/24", b, "192.168.50.2/24");
            WireguardGo wa = WireguardGo.start(a);
            WireguardGo wb = WireguardGo.start(b);
            Key ka = Key.generatePrivate();
            Key kb = Key.generatePrivate();
            Key psk = Key.generatePreshared();
            Path fa = Files.writeString(dir.resolve("a"), ka.toBase64());
            Path fb = Files.writeString(dir.resolve("b"), kb.toBase64());
            Path fp = Files.writeString(dir.resolve("p"), psk.toBase64());
            String other = Key.generatePrivate().publicKey().toBase64();
            wa.wg("set", wa.interfaceName(), "private-key", fa.toString(), "listen-port", "51820", "fwmark", "0x99",
                    "peer", kb.publicKey().toBase64(), "preshared-key", fp.toString(), "endpoint", "192.168.50.2:51821",
                    "allowed-ips", "10.77.0.2/32,fd77::2/128", "persistent-keepalive", "3600",
                    "peer", other, "endpoint", "[2001:db8::5]:7", "allowed-ips", "10.78.0.0/16");
            wb.wg("set", wb.interfaceName(), "private-key", fb.toString(), "listen-port", "51821",
                    "peer", ka.publicKey().toBase64(), "preshared-key", fp.toString(), "allowed-ips", "10.77.0.1/32");
            a.run("ip", "addr", "add", "10.77.0.1/24", "dev", wa.interfaceName());
            a.run("ip", "link", "set", wa.interfaceName(), "up");
            b.run("ip", "addr", "add", "10.77.0.2/24", "dev", wb.interfaceName());
            b.run("ip", "link", "set", wb.interfaceName(), "up");
            Waiter.until("a ping through the tunnel", java.time.Duration.ofSeconds(10),
                    () -> a.exec("ping", "-c", "1", "-W", "1", "10.77.0.2").ok());

            String name = wa.interfaceName();
            String ours = null;
            String theirs = null;
            for (int attempt = 0; attempt < 5; attempt++) { // counters may move between the two reads
                String before = normalise(wa.wg("show", name).stdout());
                ours = normalise(CliRun.run("wg", "show", name).stdout());
                theirs = normalise(wa.wg("show", name).stdout());
                if (before.equals(theirs)) {
                    break;
                }
            }
            assertThat(theirs).contains("latest handshake: (age)", "transfer: ", "preshared key: (hidden)", "fwmark: 0x99");
            assertThat(ours).isEqualTo(theirs);

            List<String> dumpTheirs = wa.wg("show", name, "dump").stdout().lines().sorted().toList();
            List<String> dumpOurs = CliRun.run("wg", "show", name, "dump").stdout().lines().sorted().toList();
            assertThat(dumpOurs).isEqualTo(dumpTheirs);

            // other tests' devices may come and go in /var/run/wireguard meanwhile: compare ours only
            assertThat(CliRun.run("wg", "show", "interfaces").stdout().strip().split(" "))
                    .contains(name, wb.interfaceName());
            assertThat(Exec.run("wg", "show", "interfaces").stdout().strip().split(" ")).contains(name, wb.interfaceName());
            CliRun all = CliRun.run("wg", "show", "all", "dump");
            assertThat(all.stdout()).contains(name + "\t" + ka.toBase64() + "\t", wb.interfaceName() + "\t" + kb.toBase64());
        }
    }

    private static String normalise(String show) {
        return show.replaceAll("latest handshake: [^\n]*", "latest handshake: (age)");
    }
}
