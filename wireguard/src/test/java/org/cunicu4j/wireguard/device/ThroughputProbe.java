package org.cunicu4j.wireguard.device;

import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Not a test: a throughput probe run by hand (-Dprobe=true), prints iperf3's result. */
@EnabledIfSystemProperty(named = "probe", matches = "true")
class ThroughputProbe {
    @Test
    void ourPair() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h1 = lab.host("p1");
            Host h2 = lab.host("p2");
            lab.link(h1, "192.168.78.1/24", h2, "192.168.78.2/24");
            Key k1 = Key.generatePrivate();
            Key k2 = Key.generatePrivate();
            String if1 = "wgp" + ProcessHandle.current().pid() % 100000 + "a";
            String if2 = "wgp" + ProcessHandle.current().pid() % 100000 + "b";
            Device d1 = NetNs.call(h1.netns(), () -> Device.create(if1, DeviceOptions.defaults().withPrivateKey(k1).withListenPort(51000)));
            Device d2 = NetNs.call(h2.netns(), () -> Device.create(if2, DeviceOptions.defaults().withPrivateKey(k2).withListenPort(51000)));
            try {
                d1.apply(DeviceUpdate.peers(new PeerUpdate(k2.publicKey(), false, false, null,
                        new InetSocketAddress("192.168.78.2", 51000), null, false, List.of(IpPrefix.parse("10.8.0.2/32")))));
                d2.apply(DeviceUpdate.peers(new PeerUpdate(k1.publicKey(), false, false, null,
                        new InetSocketAddress("192.168.78.1", 51000), null, false, List.of(IpPrefix.parse("10.8.0.1/32")))));
                h1.run("ip", "addr", "add", "10.8.0.1/24", "dev", if1);
                h2.run("ip", "addr", "add", "10.8.0.2/24", "dev", if2);
                h1.run("ping", "-c", "2", "10.8.0.2");
                System.out.println(h1.run("ping", "-q", "-c", "200", "-i", "0.01", "10.8.0.2").stdout());
                var server = h2.start("iperf3", "-s", "-1");
                h2.awaitTcpListening(5201, java.time.Duration.ofSeconds(5));
                try {
                    var r = h1.run(java.time.Duration.ofSeconds(30), "iperf3", "-c", "10.8.0.2", "-t", Integer.getInteger("secs", 8).toString());
                    System.out.println(r.stdout());
                } catch (RuntimeException e) {
                    System.out.println("iperf failed: " + e);
                }
                System.out.println("after iperf3: " + h1.run("ping", "-q", "-c", "200", "-i", "0.01", "10.8.0.2").stdout());
                System.out.println("d1 " + d1.counters());
                System.out.println("d2 " + d2.counters());
            } finally {
                d1.close();
                d2.close();
            }
        }
    }

    @Test
    void wireguardGoPair() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h1 = lab.host("g1");
            Host h2 = lab.host("g2");
            lab.link(h1, "192.168.79.1/24", h2, "192.168.79.2/24");
            Key k1 = Key.generatePrivate();
            Key k2 = Key.generatePrivate();
            var w1 = org.cunicu4j.testlab.WireguardGo.start(h1);
            var w2 = org.cunicu4j.testlab.WireguardGo.start(h2);
            java.nio.file.Path f1 = lab.workDir().resolve("k1");
            java.nio.file.Path f2 = lab.workDir().resolve("k2");
            java.nio.file.Files.writeString(f1, k1.toBase64());
            java.nio.file.Files.writeString(f2, k2.toBase64());
            w1.wg("set", w1.interfaceName(), "private-key", f1.toString(), "listen-port", "51000", "peer", k2.publicKey().toBase64(),
                    "allowed-ips", "10.7.0.2/32", "endpoint", "192.168.79.2:51000");
            w2.wg("set", w2.interfaceName(), "private-key", f2.toString(), "listen-port", "51000", "peer", k1.publicKey().toBase64(),
                    "allowed-ips", "10.7.0.1/32", "endpoint", "192.168.79.1:51000");
            h1.run("ip", "addr", "add", "10.7.0.1/24", "dev", w1.interfaceName());
            h2.run("ip", "addr", "add", "10.7.0.2/24", "dev", w2.interfaceName());
            h1.run("ip", "link", "set", w1.interfaceName(), "up");
            h2.run("ip", "link", "set", w2.interfaceName(), "up");
            h1.run("ping", "-c", "2", "10.7.0.2");
                System.out.println(h1.run("ping", "-q", "-c", "200", "-i", "0.01", "10.7.0.2").stdout());
            h2.start("iperf3", "-s", "-1");
            h2.awaitTcpListening(5201, java.time.Duration.ofSeconds(5));
            var r = h1.run(java.time.Duration.ofSeconds(60), "iperf3", "-c", "10.7.0.2", "-t", Integer.getInteger("secs", 8).toString());
            System.out.println(r.stdout());
            System.out.println("after iperf3: " + h1.run("ping", "-q", "-c", "200", "-i", "0.01", "10.7.0.2").stdout());
        }
    }
}
