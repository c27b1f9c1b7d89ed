package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cunicu4j wg device} as a process in a lab namespace, configured and read with the
 * stock wg, pinging a wireguard-go in another namespace.
 */
@RequiresRoot
@RequiresTools({"ip", "wg", "kill", "wireguard-go", "ping"})
class WgDeviceCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsADeviceThatWgConfiguresAndRemovesItOnSigterm() throws Exception {
        try (Lab lab = Lab.open()) {
            Host host = lab.host("d");
            String name = WireguardGo.newInterfaceName();
            Path socket = Path.of("/var/run/wireguard/" + name + ".sock");
            String java = ProcessHandle.current().info().command().orElseThrow();
            LabProcess p = host.start(java, "-cp", System.getProperty("java.class.path"),
                    "--enable-native-access=ALL-UNNAMED", "org.cunicu4j.cli.Main", "wg", "device", name);
            Waiter.until("wg device creates " + socket, Duration.ofSeconds(20), () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("wg device exited:\n" + p.output());
                }
                return Files.exists(socket);
            });
            p.awaitOutput("uapi socket: " + socket, Duration.ofSeconds(5));
            assertThat(p.output()).contains("interface: " + name);
            assertThat(host.run("ip", "link", "show", name).stdout()).contains(name);

            // configured with wg only, it talks to wireguard-go in another namespace
            Host g = lab.host("g");
            lab.link(host, "192.168.60.1/24", g, "192.168.60.2/24");
            WireguardGo wgo = WireguardGo.start(g);
            Key priv = Key.generatePrivate();
            Key other = Key.generatePrivate();
            Path keyFile = Files.writeString(dir.resolve("key"), priv.toBase64());
            Path otherFile = Files.writeString(dir.resolve("other"), other.toBase64());
            host.run("wg", "set", name, "private-key", keyFile.toString(), "listen-port", "51999",
                    "peer", other.publicKey().toBase64(), "allowed-ips", "10.99.0.2/32,fd99::2/128", "endpoint", "192.168.60.2:51998");
            wgo.wg("set", wgo.interfaceName(), "private-key", otherFile.toString(), "listen-port", "51998",
                    "peer", priv.publicKey().toBase64(), "allowed-ips", "10.99.0.1/32,fd99::1/128", "endpoint", "192.168.60.1:51999");
            String show = host.run("wg", "show", name).stdout();
            assertThat(show).contains("interface: " + name, "public key: " + priv.publicKey().toBase64(),
                    "listening port: 51999", "peer: " + other.publicKey().toBase64(), "endpoint: 192.168.60.2:51998",
                    "allowed ips: 10.99.0.2/32, fd99::2/128");
            host.run("ip", "addr", "add", "10.99.0.1/24", "dev", name);
            g.run("ip", "addr", "add", "10.99.0.2/24", "dev", wgo.interfaceName());
            g.run("ip", "link", "set", wgo.interfaceName(), "up");
            Waiter.until("a ping from wireguard-go through our device", Duration.ofSeconds(10),
                    () -> g.exec("ping", "-c", "1", "-W", "1", "10.99.0.1").ok());
            assertThat(host.exec("ping", "-c", "1", "-W", "2", "10.99.0.2").ok()).as("a ping back").isTrue();
            assertThat(host.run("wg", "show", name).stdout()).contains("latest handshake: ", "transfer: ");

            Exec.run("kill", "-TERM", Long.toString(p.pid())).orThrow();
            Waiter.until("wg device exits", Duration.ofSeconds(10), () -> !p.isAlive());
            assertThat(socket).doesNotExist();
            assertThat(host.exec("ip", "link", "show", name).ok()).as("interface %s removed", name).isFalse();
        }
    }

    private static LabProcess startDevice(Host host, String name) {
        Path socket = Path.of("/var/run/wireguard/" + name + ".sock");
        String java = ProcessHandle.current().info().command().orElseThrow();
        LabProcess p = host.start(java, "-cp", System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED", "org.cunicu4j.cli.Main", "wg", "device", name);
        Waiter.until("wg device creates " + socket, Duration.ofSeconds(20), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("wg device exited:\n" + p.output());
            }
            return Files.exists(socket);
        });
        p.awaitOutput("uapi socket: " + socket, Duration.ofSeconds(5));
        return p;
    }

    @Test
    void stopsWhenItsSocketIsDeletedOrItsInterfaceRemoved() throws Exception {
        try (Lab lab = Lab.open()) {
            Host host = lab.host("d");
            String first = WireguardGo.newInterfaceName();
            String second = WireguardGo.newInterfaceName();
            LabProcess a = startDevice(host, first);
            LabProcess b = startDevice(host, second);

            Files.delete(Path.of("/var/run/wireguard/" + first + ".sock"));
            Waiter.until("wg device " + first + " exits after its socket is deleted", Duration.ofSeconds(10), () -> !a.isAlive());
            assertThat(a.output()).contains("was deleted, stopping");
            assertThat(host.exec("ip", "link", "show", first).ok()).as("interface %s removed", first).isFalse();

            host.run("ip", "link", "del", second);
            Waiter.until("wg device " + second + " exits after its interface is removed", Duration.ofSeconds(10), () -> !b.isAlive());
            assertThat(b.output()).contains("interface " + second + " was removed, stopping");
            assertThat(Path.of("/var/run/wireguard/" + second + ".sock")).doesNotExist();
        }
    }
}
