package org.cunicu4j.testlab.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.StunProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh lab without our daemon: the scenarios' networks, servers, configs and the
 * process lifecycle, with a stand-in CLI (a shell script) that answers {@code status --json}
 * from the config it was started on.
 */
@RequiresRoot
@RequiresTools({"ip", "ss", "nft", "ping", "turnserver", "turnutils_stunclient", "wg"})
class MeshLabTest {

    /** A stand-in for {@code cunicu4j}: signal, daemon and status, driven by the config file. */
    private static final String FAKE_CLI = """
            #!/bin/sh
            cmd=$1; shift
            case "$cmd" in
            signal) echo "listening on $2 (plaintext)"; exec sleep 600 ;;
            daemon)
              cfg=$2
              sock=$(sed -n 's/^  socket: "\\(.*\\)"$/\\1/p' "$cfg")
              echo "fake daemon on $cfg $*"
              echo "cunicu4j daemon ready: fake"
              ln -sf "$cfg" "$sock"
              exec sleep 600 ;;
            status)
              sock=$3
              [ -e "$sock" ] || { echo "no daemon at $sock" >&2; exit 1; }
              printf '{"interfaces":[{"name":"x","peers":['
              sep=
              for k in $(sed -n 's/^        public_key: "\\(.*\\)"$/\\1/p' "$sock"); do
                printf '%s{"public_key":"%s","state":"connected","selected_pair":{"local":{"type":"host"},"remote":{"type":"srflx"}}}' "$sep" "$k"
                sep=,
              done
              printf ']}]}\\n' ;;
            monitor)
              sock=$3
              for k in $(sed -n 's/^        public_key: "\\(.*\\)"$/\\1/p' "$sock"); do
                printf '{"type":"selected_pair_changed","peer":"%s","to":"/10.0.0.1:1 (prflx) <-> /10.0.0.2:2 (relay)"}\\n' "$k"
                printf '{"type":"peer_state_changed","peer":"%s","from":"CHECKING","to":"CONNECTED"}\\n' "$k"
              done
              exec sleep 600 ;;
            *) echo "unknown command $cmd" >&2; exit 2 ;;
            esac
            """;

    @TempDir
    Path tmp;

    private Launcher fakeLauncher() throws IOException {
        Path script = tmp.resolve("fake-cunicu4j");
        Files.writeString(script, FAKE_CLI);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return new Launcher(List.of(script.toString()));
    }

    @Test
    void everyScenarioBuildsReachableServersAndNatsOfItsType() throws IOException {
        for (Scenario s : Scenario.values()) {
            try (MeshLab mesh = MeshLab.builder(fakeLauncher()).scenario(s).build()) {
                mesh.startCoturn();
                for (MeshPeer p : mesh.peers()) {
                    InetSocketAddress seen = StunProbe.mappedAddress(p.host(), MeshLab.SERVER_IP, MeshLab.TURN_PORT);
                    String expected = p.nat() == null ? p.host().ip() : p.nat().outsideIp();
                    assertThat(seen.getHostString()).as("%s: what the server sees of %s", s, p).isEqualTo(expected);
                    if (p.nat() != null) {
                        assertThat(p.nat().type()).as("%s: NAT of %s", s, p).isEqualTo(s.natOf(p.index()));
                    }
                }
                assertThat(mesh.blocks()).as(s + ": blocks").hasSize(s.udpBlocked() ? 6 : 0);
                for (MeshPeer p : mesh.peers()) {
                    assertThat(p.host().exec("ping", "-c", "1", "-W", "1", MeshLab.SERVER_IP).ok())
                            .as("%s: %s pings the server", s, p).isTrue();
                }
            }
        }
    }

    @Test
    void configsAreLoadableShapedAndTheOnlyPlaceOfEachPrivateKey() throws IOException {
        List<String> progress = new ArrayList<>();
        try (MeshLab mesh = MeshLab.builder(fakeLauncher()).scenario(Scenario.DEMO).progress(progress::add)
                .ice("check_interval", "200ms").build()) {
            List<String> ifnames = mesh.peers().stream().map(MeshPeer::ifname).toList();
            assertThat(ifnames).doesNotHaveDuplicates().allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(15)
                    .startsWith("c4j"));
            for (MeshPeer p : mesh.peers()) {
                assertThat(Files.getPosixFilePermissions(p.configFile())).as("mode of %s", p.configFile())
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
                String yaml = Files.readString(p.configFile());
                String own = p.keys().privateKey();
                assertThat(yaml).contains("private_key: \"" + own + "\"").contains("userspace: true")
                        .contains("socket: \"" + p.socket() + "\"").contains(MeshLab.signalingUrl())
                        .contains("check_interval: \"200ms\"").contains("  " + p.ifname() + ":\n");
                for (MeshPeer q : mesh.peers()) {
                    if (q != p) {
                        assertThat(yaml).contains("public_key: \"" + q.publicKey() + "\"")
                                .contains(q.tunnelIp() + "/32").doesNotContain(q.keys().privateKey());
                    }
                }
                // the JDK-made key pair agrees with wg
                String pub = Exec.run(Duration.ofSeconds(10), List.of("wg", "pubkey"), Map.of(), own + "\n")
                        .orThrow().stdout().strip();
                assertThat(pub).isEqualTo(p.publicKey());
                assertThat(p.toString()).doesNotContain(own);
                assertThat(String.join("\n", progress)).doesNotContain(own);
            }
        }
    }

    @Test
    void lifecycleWithAStandInCliConnectsRestartsAndLeavesNothingBehind() throws IOException {
        List<String> progress = new ArrayList<>();
        Path logs = tmp.resolve("logs");
        MeshLab mesh = MeshLab.builder(fakeLauncher()).scenario(Scenario.EI_NATS).progress(progress::add)
                .daemonOption("ice.failed_timeout", "10s").keepLogsIn(logs).build();
        List<String> netns;
        List<LabProcess> processes = new ArrayList<>();
        try (mesh) {
            netns = Stream.concat(mesh.peers().stream().map(p -> p.host().netns()), Stream.of(mesh.server().netns()))
                    .toList();
            mesh.start();
            mesh.awaitConnected(Duration.ofSeconds(30));
            assertThat(progress).anyMatch(l -> l.startsWith("signaling server up"))
                    .anyMatch(l -> l.startsWith("carol: daemon ready"))
                    .anyMatch(l -> l.matches("alice ↔ bob connected \\((prflx ↔ relay|host ↔ srflx)\\)"))
                    .anyMatch(l -> l.matches("bob ↔ carol connected \\((prflx ↔ relay|host ↔ srflx)\\)"));
            MonitorFeed aliceEvents = mesh.peer("alice").monitor();
            org.cunicu4j.testlab.Waiter.until("alice's monitor saw bob connected", Duration.ofSeconds(10), () -> {
                aliceEvents.refresh();
                return "CONNECTED".equals(aliceEvents.state(mesh.peer("bob").publicKey()));
            });
            assertThat(aliceEvents.pair(mesh.peer("carol").publicKey())).isEqualTo("prflx ↔ relay");
            MeshPeer bob = mesh.peer("bob");
            assertThat(bob.daemonLog()).contains("fake daemon on " + bob.configFile()).contains("-o ice.failed_timeout=10s");
            assertThat(mesh.session(mesh.peer("alice"), bob).connected()).isTrue();

            // no daemon: no route into the tunnel; every pair fails
            PingMatrix m = mesh.pingMatrix();
            assertThat(m.failures()).hasSize(6);

            mesh.killDaemon(bob, "KILL");
            assertThat(bob.daemonAlive()).isFalse();
            assertThatThrownBy(() -> mesh.awaitConnected(Duration.ofSeconds(5))).hasMessageContaining("bob's daemon exited");
            mesh.restartDaemon(bob);
            assertThat(bob.daemonRuns()).hasSize(2);
            mesh.awaitConnected(Duration.ofSeconds(30));

            LabProcess firstSignaling = mesh.signaling();
            mesh.restartSignaling();
            assertThat(firstSignaling.isAlive()).isFalse();
            assertThat(mesh.signaling().isAlive()).isTrue();

            mesh.peers().forEach(p -> processes.addAll(p.daemonRuns()));
            processes.add(mesh.signaling());
            processes.add(mesh.coturn().process());
        }
        assertThat(processes).noneMatch(LabProcess::isAlive);
        String namespaces = Exec.run("ip", "netns", "list").stdout();
        assertThat(netns).noneMatch(namespaces::contains);
        assertThat(logs.resolve("bob-daemon.log")).content().contains("daemon run 2");
        assertThat(logs.resolve("signaling.log")).exists();
    }
}
