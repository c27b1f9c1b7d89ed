package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.control.ControlClient;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cunicu4j daemon} as processes: a signaling server ({@code cunicu4j signal}) and a
 * daemon per namespace on one switch, our userspace devices (BindProxy), then the same on
 * adopted wireguard-go devices (UserspaceProxy). They reach CONNECTED (again after one is
 * killed with SIGKILL and restarted), ping through the tunnel, follow {@code wg set ... remove},
 * refuse a second daemon on the interface or the control socket, and remove our interfaces
 * and the control socket on shutdown (adopted devices keep running).
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "wg", "kill"})
class DaemonCommandLabTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration CONNECT = Duration.ofSeconds(45);

    @TempDir
    Path dir;

    private final long pid = ProcessHandle.current().pid();

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), "--enable-native-access=ALL-UNNAMED",
                // small heap, serial GC, C1 only: the JVMs start sooner on a busy machine
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--sun-misc-unsafe-memory-access=allow", "org.cunicu4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Path config(String node, String ifname, Key key, String address, Key peer, String peerAllowed, String signaling)
            throws Exception {
        return config(node, ifname, key, address, peer, peerAllowed, signaling, "");
    }

    private Path config(String node, String ifname, Key key, String address, Key peer, String peerAllowed, String signaling,
            String extra) throws Exception {
        String yaml = """
                backends:
                - %s
                watch_interval: 500ms
                interfaces:
                  %s:%s
                    private_key: %s
                    addresses:
                    - %s
                    peers:
                      other:
                        public_key: %s
                        allowed_ips:
                        - %s
                """.formatted(signaling, ifname, extra, key.toBase64(), address, peer.toBase64(), peerAllowed);
        Path file = dir.resolve(node + ".yaml");
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static LabProcess daemon(Host host, Path config, Path socket) {
        return host.start(java("daemon", "-c", config.toString(), "-o", "rpc.socket=" + socket).toArray(String[]::new));
    }

    private static PeerSessionStatus peer(Path socket, String ifname, Key peer) {
        DaemonStatus st;
        try (ControlClient c = ControlClient.connect(socket)) {
            st = c.status();
        } catch (Exception e) {
            return null;
        }
        for (InterfaceStatus i : st.interfaces()) {
            if (i.name().equals(ifname)) {
                for (PeerSessionStatus p : i.peers()) {
                    if (p.publicKey().equals(peer)) {
                        return p;
                    }
                }
            }
        }
        return null;
    }

    private static boolean connected(Path socket, String ifname, Key peer) {
        PeerSessionStatus p = peer(socket, ifname, peer);
        return p != null && p.state() == ConnectionState.CONNECTED;
    }

    @Test
    void twoDaemonsConnectAndPingThroughTheTunnel() throws Exception {
        Key ka = Key.generatePrivate();
        Key kb = Key.generatePrivate();
        String ifA = "wgc" + pid + "a";
        String ifB = "wgc" + pid + "b";
        Path sa = dir.resolve("a.sock");
        Path sb = dir.resolve("b.sock");
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            LabProcess signal = lan.alice().start(java("signal", "--listen", PeerTopologies.LAN_ALICE_IP + ":8080")
                    .toArray(String[]::new));
            signal.awaitOutput("listening on", START);
            String url = "grpc://" + PeerTopologies.LAN_ALICE_IP + ":8080?insecure=true";
            Path fa = config("a", ifA, ka, "10.99.0.1/24", kb.publicKey(), "10.99.0.2/32", url);
            Path fb = config("b", ifB, kb, "10.99.0.2/24", ka.publicKey(), "10.99.0.1/32", url);
            LabProcess a = daemon(lan.alice(), fa, sa);
            LabProcess b0 = daemon(lan.bob(), fb, sb);
            a.awaitOutput("cunicu4j daemon ready", START);
            b0.awaitOutput("cunicu4j daemon ready", START);
            Waiter.until("both daemons report CONNECTED", CONNECT, () -> {
                if (!a.isAlive() || !b0.isAlive()) {
                    throw new AssertionError("a daemon exited:\n" + a.output() + "\n---\n" + b0.output());
                }
                return connected(sa, ifA, kb.publicKey()) && connected(sb, ifB, ka.publicKey());
            });

            // b killed hard and started again: its stale lock, UAPI and control sockets do not stop it, and it reconnects
            Exec.run("kill", "-KILL", Long.toString(b0.pid())).orThrow();
            Waiter.until("daemon b dies", Duration.ofSeconds(10), () -> !b0.isAlive());
            LabProcess b = daemon(lan.bob(), fb, sb);
            b.awaitOutput("cunicu4j daemon ready", START);
            Waiter.until("both daemons report CONNECTED again", CONNECT, () -> {
                if (!a.isAlive() || !b.isAlive()) {
                    throw new AssertionError("a daemon exited:\n" + a.output() + "\n---\n" + b.output());
                }
                return connected(sa, ifA, kb.publicKey()) && connected(sb, ifB, ka.publicKey());
            });
            Waiter.until("a ping through the tunnel", Duration.ofSeconds(15),
                    () -> lan.alice().exec("ping", "-c", "1", "-W", "1", "10.99.0.2").ok());
            PeerSessionStatus pa = peer(sa, ifA, kb.publicKey());
            assertThat(pa.selectedPair()).isNotNull();
            assertThat(pa.proxyMode().configName()).isEqualTo("bind");
            try (ControlClient c = ControlClient.connect(sa)) {
                InterfaceStatus ia = c.status().interfaces().getFirst();
                assertThat(ia.device()).isEqualTo("cunicu4j");
                assertThat(ia.publicKey()).isEqualTo(ka.publicKey());
            }
            Waiter.until("WireGuard counters in the status", Duration.ofSeconds(10), () -> {
                PeerSessionStatus p = peer(sa, ifA, kb.publicKey());
                return p != null && p.rxBytes() > 0 && p.lastHandshake() != null;
            });

            // a second daemon on the same interface (its own control socket) is refused
            Exec.Result second = lan.alice().exec(java("daemon", "-c", fa.toString(), "-o",
                    "rpc.socket=" + dir.resolve("a2.sock")).toArray(String[]::new));
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.stderr()).contains("interface " + ifA + " is already managed by cunicu4j daemon pid " + a.pid());
            assertThat(second.stderr()).doesNotContain("\tat ");
            // ... and so is one on the same control socket
            Exec.Result third = lan.alice().exec(java("daemon", "-c", fa.toString(), "-o", "rpc.socket=" + sa)
                    .toArray(String[]::new));
            assertThat(third.exitCode()).isEqualTo(1);
            assertThat(third.stderr()).contains("rpc.socket " + sa);

            // a peer removed with wg goes away from the status
            lan.alice().run("wg", "set", ifA, "peer", kb.publicKey().toBase64(), "remove");
            Waiter.until("the removed peer leaves the status", Duration.ofSeconds(10),
                    () -> peer(sa, ifA, kb.publicKey()) == null);

            // shutdown through the control socket removes our interface and the socket
            try (ControlClient c = ControlClient.connect(sa)) {
                c.shutdown();
            }
            Waiter.until("daemon a exits", Duration.ofSeconds(20), () -> !a.isAlive());
            assertThat(lan.alice().exec("ip", "link", "show", ifA).ok()).as("interface %s removed", ifA).isFalse();
            assertThat(sa).doesNotExist();
            // SIGTERM does the same
            Exec.run("kill", "-TERM", Long.toString(b.pid())).orThrow();
            Waiter.until("daemon b exits", Duration.ofSeconds(20), () -> !b.isAlive());
            assertThat(lan.bob().exec("ip", "link", "show", ifB).ok()).as("interface %s removed", ifB).isFalse();
            assertThat(sb).doesNotExist();
        }
    }

    @Test
    @RequiresTools({"wireguard-go"})
    void twoDaemonsOnAdoptedWireguardGoDevicesConnectThroughTheUserspaceProxy() throws Exception {
        Key ka = Key.generatePrivate();
        Key kb = Key.generatePrivate();
        Path sa = dir.resolve("ga.sock");
        Path sb = dir.resolve("gb.sock");
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            WireguardGo ga = WireguardGo.start(lan.alice());
            WireguardGo gb = WireguardGo.start(lan.bob());
            String ifA = ga.interfaceName();
            String ifB = gb.interfaceName();
            LabProcess signal = lan.alice().start(java("signal", "--listen", PeerTopologies.LAN_ALICE_IP + ":8080")
                    .toArray(String[]::new));
            signal.awaitOutput("listening on", START);
            String url = "grpc://" + PeerTopologies.LAN_ALICE_IP + ":8080?insecure=true";
            // forced: proxy: auto would take a kernel mode where nftables, iptables or raw sockets work
            String adopt = "\n    userspace: false\n    listen_port: 51830\n    proxy: user";
            Path fa = config("ga", ifA, ka, "10.98.0.1/24", kb.publicKey(), "10.98.0.2/32", url, adopt);
            Path fb = config("gb", ifB, kb, "10.98.0.2/24", ka.publicKey(), "10.98.0.1/32", url, adopt);
            LabProcess a = daemon(lan.alice(), fa, sa);
            LabProcess b = daemon(lan.bob(), fb, sb);
            a.awaitOutput("cunicu4j daemon ready", START);
            b.awaitOutput("cunicu4j daemon ready", START);
            Waiter.until("both daemons report CONNECTED", CONNECT, () -> {
                if (!a.isAlive() || !b.isAlive()) {
                    throw new AssertionError("a daemon exited:\n" + a.output() + "\n---\n" + b.output());
                }
                return connected(sa, ifA, kb.publicKey()) && connected(sb, ifB, ka.publicKey());
            });
            Waiter.until("a ping through the tunnel", Duration.ofSeconds(15),
                    () -> lan.alice().exec("ping", "-c", "1", "-W", "1", "10.98.0.2").ok());
            try (ControlClient c = ControlClient.connect(sa)) {
                InterfaceStatus ia = c.status().interfaces().getFirst();
                assertThat(ia.device()).isEqualTo("userspace (uapi)");
                assertThat(ia.proxyMode().configName()).isEqualTo("user");
                assertThat(ia.listenPort()).isEqualTo(51830);
            }
            assertThat(peer(sa, ifA, kb.publicKey()).endpoint()).as("WireGuard talks to the loopback proxy")
                    .matches("(127\\.0\\.0\\.1|::1|\\[::1\\]):\\d+");

            Exec.run("kill", "-TERM", Long.toString(a.pid())).orThrow();
            Waiter.until("daemon a exits", Duration.ofSeconds(20), () -> !a.isAlive());
            assertThat(lan.alice().exec("ip", "link", "show", ifA).ok()).as("an adopted device keeps running").isTrue();
            assertThat(sa).doesNotExist();
        }
    }
}
