package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock {@code wg} tool against our {@link UapiServer} in front of a {@link FakeDevice}
 * on {@code /var/run/wireguard/<if>.sock}. No network interface exists: for a userspace
 * device {@code wg} only talks to the socket ({@code wg show <if>}, {@code set},
 * {@code setconf}, {@code showconf} never look for the netdev).
 */
@RequiresRoot
@RequiresTools({"wg"})
class WgToolTest {
    @TempDir
    Path dir;

    private static Exec.Result wg(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "wg";
        System.arraycopy(args, 0, command, 1, args.length);
        return Exec.run(command);
    }

    private static String ok(String... args) {
        Exec.Result r = wg(args);
        assertThat(r.exitCode()).as("wg %s: %s", String.join(" ", args), r.stderr()).isZero();
        return r.stdout();
    }

    @Test
    void wgConfiguresAndShowsOurServer() throws Exception {
        String ifname = WireguardGo.newInterfaceName();
        FakeDevice device = new FakeDevice(ifname);
        Key priv = Key.generatePrivate();
        Key peer = Key.generatePrivate().publicKey();
        Key psk = Key.generatePreshared();
        Path privFile = Files.writeString(dir.resolve("priv"), priv.toBase64() + "\n");
        Path pskFile = Files.writeString(dir.resolve("psk"), psk.toBase64() + "\n");
        try (UapiServer server = UapiServer.start(ifname, device)) {
            assertThat(server.socket()).isEqualTo(Path.of("/var/run/wireguard/" + ifname + ".sock"));
            ok("set", ifname, "private-key", privFile.toString(), "listen-port", "51999", "fwmark", "0x42",
                    "peer", peer.toBase64(), "preshared-key", pskFile.toString(),
                    "allowed-ips", "10.9.0.0/24,fd00:9::/64", "endpoint", "[2001:db8::7]:4500",
                    "persistent-keepalive", "25");
            DeviceStatus s = device.status();
            assertThat(s.privateKey()).isEqualTo(priv);
            assertThat(s.listenPort()).isEqualTo(51999);
            assertThat(s.fwmark()).isEqualTo(0x42);
            PeerStatus p = s.peers().getFirst();
            assertThat(p.publicKey()).isEqualTo(peer);
            assertThat(p.presharedKey()).isEqualTo(psk);
            assertThat(p.endpoint()).isEqualTo(new InetSocketAddress("2001:db8::7", 4500));
            assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.9.0.0/24"), IpPrefix.parse("fd00:9::/64"));
            assertThat(p.persistentKeepaliveSeconds()).isEqualTo(25);

            device.stats(peer, Instant.now().minusSeconds(75), 3 * 1024, 5 * 1024 * 1024);
            String show = ok("show", ifname);
            assertThat(show).contains("interface: " + ifname + "\n",
                    "  public key: " + priv.publicKey().toBase64() + "\n",
                    "  private key: (hidden)\n", "  listening port: 51999\n", "  fwmark: 0x42\n",
                    "peer: " + peer.toBase64() + "\n", "  preshared key: (hidden)\n",
                    "  endpoint: [2001:db8::7]:4500\n", "  allowed ips: 10.9.0.0/24, fd00:9::/64\n",
                    "  latest handshake: 1 minute, ", "  transfer: 3.00 KiB received, 5.00 MiB sent\n",
                    "  persistent keepalive: every 25 seconds\n");

            String[] dump = ok("show", ifname, "dump").split("\n");
            assertThat(dump[0]).isEqualTo(priv.toBase64() + "\t" + priv.publicKey().toBase64() + "\t51999\t0x42");
            assertThat(dump[1]).startsWith(peer.toBase64() + "\t" + psk.toBase64() + "\t[2001:db8::7]:4500\t10.9.0.0/24,fd00:9::/64\t")
                    .endsWith("\t3072\t5242880\t25");

            // showconf of this device, setconf onto a second one: the same configuration
            String conf = ok("showconf", ifname);
            assertThat(conf).contains("[Interface]\n", "ListenPort = 51999\n", "FwMark = 0x42\n",
                    "PrivateKey = " + priv.toBase64() + "\n", "[Peer]\n", "PublicKey = " + peer.toBase64() + "\n",
                    "AllowedIPs = 10.9.0.0/24, fd00:9::/64\n", "Endpoint = [2001:db8::7]:4500\n", "PersistentKeepalive = 25\n");
            String other = WireguardGo.newInterfaceName();
            FakeDevice second = new FakeDevice(other);
            try (UapiServer server2 = UapiServer.start(other, second)) {
                Key stale = Key.generatePrivate().publicKey();
                second.apply(org.cunicu4j.wireguard.control.DeviceUpdate.peers(
                        new org.cunicu4j.wireguard.control.PeerUpdate(stale, false, false, null, null, null, false, List.of())));
                Path confFile = Files.writeString(dir.resolve("wg.conf"), conf);
                ok("setconf", other, confFile.toString());
                DeviceStatus copy = second.status();
                DeviceStatus original = device.status();
                assertThat(copy.privateKey()).isEqualTo(original.privateKey());
                assertThat(copy.listenPort()).isEqualTo(original.listenPort());
                assertThat(copy.fwmark()).isEqualTo(original.fwmark());
                assertThat(copy.peers()).hasSize(1); // setconf replaced the stale peer
                PeerStatus c = copy.peers().getFirst();
                assertThat(List.of(c.publicKey(), c.presharedKey(), c.endpoint(), c.allowedIps(), c.persistentKeepaliveSeconds()))
                        .isEqualTo(List.of(p.publicKey(), p.presharedKey(), p.endpoint(), p.allowedIps(), p.persistentKeepaliveSeconds()));
            }

            // wg show interfaces and all find the userspace device by its socket
            assertThat(ok("show", "interfaces").split("[ \n]")).contains(ifname);
            assertThat(ok("show", "all", "dump")).contains(ifname + "\t" + peer.toBase64());

            // remove the peer; the device's refusal reaches wg as a failure
            ok("set", ifname, "peer", peer.toBase64(), "remove");
            assertThat(device.status().peers()).isEmpty();
            Exec.Result refused = wg("set", ifname, "listen-port", "9");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.stderr()).contains("Unable to modify interface: Address already in use");
            assertThat(server.rejectedRequests()).isZero();
        }
        assertThat(Path.of("/var/run/wireguard/" + ifname + ".sock")).doesNotExist();
        assertThat(wg("show", ifname).exitCode()).isNotZero();
    }
}
