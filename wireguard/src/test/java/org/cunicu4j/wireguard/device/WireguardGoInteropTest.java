package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A smoke check of the protocol against the reference: our device (configured in-process) in
 * one namespace, wireguard-go (configured with {@code wg}) in another; ping both ways over
 * IPv4 and IPv6. The full interop suite (UAPI-configured, transfers, rekeys, roaming) is
 * wg-lab's {@code WireGuardInteropTest} in e2e.
 */
@RequiresRoot
@RequiresTools({"wireguard-go", "wg", "ip", "ping", "iperf3"})
class WireguardGoInteropTest {

    /** With the TUN offloads (TSO in, GRO out) and without them (plain TUN, one packet per read and write). */
    @ParameterizedTest(name = "tunOffload={0}")
    @ValueSource(booleans = {true, false})
    void pingAndTcpWithWireguardGoBothWays(boolean offload) throws Exception {
        try (Lab lab = Lab.open()) {
            Host go = lab.host("go");
            Host ours = lab.host("ours");
            lab.link(go, "192.168.77.1/24", ours, "192.168.77.2/24");
            Key goKey = Key.generatePrivate();
            Key ourKey = Key.generatePrivate();
            WireguardGo wgo = WireguardGo.start(go);
            String goIf = wgo.interfaceName();
            Path keyFile = lab.workDir().resolve("go.key");
            Files.writeString(keyFile, goKey.toBase64() + "\n");
            wgo.wg("set", goIf, "private-key", keyFile.toString(), "listen-port", "51820",
                    "peer", ourKey.publicKey().toBase64(), "allowed-ips", "10.9.0.2/32,fd09::2/128",
                    "endpoint", "192.168.77.2:51821");
            go.run("ip", "addr", "add", "10.9.0.1/24", "dev", goIf);
            go.run("ip", "-6", "addr", "add", "fd09::1/64", "dev", goIf, "nodad");
            go.run("ip", "link", "set", goIf, "up");

            String ourIf = "wgj" + ProcessHandle.current().pid() % 100000 + (offload ? "o" : "p");
            Device device = NetNs.call(ours.netns(), () -> Device.create(ourIf,
                    DeviceOptions.defaults().withPrivateKey(ourKey).withListenPort(51821).withTunOffload(offload)));
            try {
                device.apply(DeviceUpdate.peers(new PeerUpdate(goKey.publicKey(), false, false, null,
                        new InetSocketAddress("192.168.77.1", 51820), null, false,
                        List.of(IpPrefix.parse("10.9.0.1/32"), IpPrefix.parse("fd09::1/128")))));
                ours.run("ip", "addr", "add", "10.9.0.2/24", "dev", ourIf);
                ours.run("ip", "-6", "addr", "add", "fd09::2/64", "dev", ourIf, "nodad");

                // wireguard-go initiates
                go.run("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.9.0.2");
                ours.run("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.9.0.1");
                ours.run("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5", "fd09::1");
                go.run("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5", "fd09::2");
                // TCP both ways through our TUN offload (TSO segmentation out, plain writes in)
                // one one-off server per direction: a server just done with a test may still say "busy"
                ours.start("iperf3", "-s", "-1", "-p", "5202");
                ours.start("iperf3", "-s", "-1", "-p", "5203");
                ours.awaitTcpListening(5202, java.time.Duration.ofSeconds(5));
                ours.awaitTcpListening(5203, java.time.Duration.ofSeconds(5));
                go.run(java.time.Duration.ofSeconds(60), "iperf3", "-c", "10.9.0.2", "-p", "5202", "-n", "20M");
                go.run(java.time.Duration.ofSeconds(60), "iperf3", "-c", "10.9.0.2", "-p", "5203", "-n", "20M", "-R");
                var status = device.status().peers().getFirst();
                // iperf3 ends a test when the sender has written its bytes, some may still be in flight
                assertThat(status.rxBytes()).isGreaterThan(15_000_000L);
                assertThat(status.txBytes()).isGreaterThan(15_000_000L);
                assertThat(status.lastHandshake()).isNotNull();
                assertThat(status.rxBytes()).isGreaterThan(0);
                assertThat(wgo.wg("show", goIf, "latest-handshakes").stdout()).doesNotEndWith("\t0\n");
                // the kernel's own IPv6 chatter (router solicitations, MLD) to multicast has no peer: NO_ROUTE
                DeviceCounters c = device.counters();
                assertThat(c.totalDropped() - c.dropped(DropReason.NO_ROUTE)).as("%s", c).isZero();
            } finally {
                device.close();
            }
        }
    }
}
