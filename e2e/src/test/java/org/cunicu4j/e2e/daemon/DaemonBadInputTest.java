package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad input to a running mesh (one {@link MeshLab} on one switch for the class): signaling
 * envelopes from a key no daemon knows, published to alice's key through the signaling
 * server, are ignored (logged once, her sessions stay as they were, no session for the
 * stranger) and counted in her status (when it carries the counter); a second
 * {@code cunicu4j daemon} for the interface alice's daemon already runs exits non-zero,
 * naming the interface (with a control socket of its own) or the control socket (with the
 * same configuration), and the first daemon keeps running and serving.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "turnserver", "wg", "ping"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonBadInputTest {
    private static final Duration CONNECT = Duration.ofSeconds(90);
    /** The status JSON's counter of envelopes from keys that are not our peers (DaemonStatus.counters). */
    static final String UNKNOWN_SENDER_COUNTER = "signaling_unknown_sender";

    private MeshLab mesh;
    private MeshPeer alice;

    @BeforeAll
    void startMesh() {
        mesh = Meshes.start(Scenario.ONE_SWITCH, DeviceKind.OURS);
        mesh.awaitConnected(CONNECT);
        alice = mesh.peers().get(0);
    }

    @AfterAll
    void closeMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void messagesFromAnUnknownKeyAreIgnoredAndCounted() {
        StatusView before = StatusView.parse(mesh.statusJson(alice));
        long countBefore = unknownSenderCount(before).orElse(0L);

        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", mesh.server().netns()));
        cmd.addAll(Cli.javaCommand(UnknownSender.class.getName(), MeshLab.signalingUrl(), alice.publicKey(), "3"));
        Exec.Result r = Exec.run(Duration.ofSeconds(60), cmd);
        assertThat(r.exitCode()).as("UnknownSender: %s%s", r.stdout(), r.stderr()).isZero();
        String stranger = r.stdout().strip().replaceFirst("^published \\d+ from ", "");

        // ignored: logged once per unknown key ("further ones are only counted") and no session for it
        String logLine = "ignoring signaling from " + stranger.substring(0, 8);
        Waiter.until("alice's daemon logs that it ignores the stranger", Duration.ofSeconds(20),
                () -> alice.daemonLog().contains(logLine));
        // counted: in the status's counters
        assertThat(unknownSenderCount(before)).as("the status carries %s:%n%s", UNKNOWN_SENDER_COUNTER, before.json())
                .isPresent();
        Waiter.until("alice's status counts 3 envelopes from the unknown key", Duration.ofSeconds(20),
                () -> unknownSenderCount(StatusView.parse(mesh.statusJson(alice))).orElse(0L) >= countBefore + 3);
        assertThat(alice.daemonLog().split(java.util.regex.Pattern.quote(logLine), -1).length - 1)
                .as("log lines about the stranger for 3 envelopes (the rest only counted)").isEqualTo(1);
        StatusView after = StatusView.parse(mesh.statusJson(alice));
        assertThat(after.peer(stranger)).as("no session for the stranger:\n" + after.json()).isEmpty();
        assertThat(after.peers()).as("alice's sessions:\n" + after.json()).hasSize(before.peers().size())
                .allSatisfy(p -> assertThat(p.state()).isEqualTo("CONNECTED"));
        for (StatusView.Peer p : after.peers()) {
            assertThat(p.restarts()).as("restarts of " + p).isEqualTo(before.peer(p.publicKey()).orElseThrow().restarts());
        }
    }

    @Test
    void aSecondDaemonWithItsOwnControlSocketOnTheSameInterfaceExitsNonZeroNamingTheInterface() {
        Path socket = alice.configFile().resolveSibling("alice-second.sock");
        Exec.Result r = secondDaemon("-o", "rpc.socket=" + socket);

        assertThat(r.stderr()).as("stderr names the interface").contains(alice.ifname());
        assertThat(socket).as("the second daemon left no control socket behind").doesNotExist();
    }

    @Test
    void aSecondDaemonWithTheSameConfigurationExitsNonZeroNamingTheControlSocket() {
        Exec.Result r = secondDaemon();

        assertThat(r.stderr()).as("stderr names the control socket").contains(alice.socket().toString());
    }

    /** Runs {@code cunicu4j daemon -c ALICE'S_CONFIG args...} in alice's namespace; checks what every refusal must hold. */
    private Exec.Result secondDaemon(String... args) {
        long pid = alice.daemon().pid();
        List<String> all = new ArrayList<>(List.of("daemon", "-c", alice.configFile().toString()));
        all.addAll(List.of(args));
        Exec.Result r = Cli.exec(alice.host(), Duration.ofSeconds(60), all.toArray(String[]::new));
        System.out.println("second daemon " + List.of(args) + " exited " + r.exitCode() + ", stderr: " + r.stderr().strip());

        assertThat(r.exitCode()).as("exit code of the second daemon; it said:%n%s%s", r.stdout(), r.stderr()).isNotZero();
        assertThat(r.stderr()).as("a clear message, no stack trace").doesNotContain("\tat ");
        assertThat(alice.daemonAlive()).as("the first daemon still runs").isTrue();
        assertThat(alice.daemon().pid()).isEqualTo(pid);
        assertThat(alice.host().exec("ping", "-c", "1", "-W", "2", mesh.peers().get(1).tunnelIp()).ok())
                .as("alice's tunnel to bob still works").isTrue();
        assertThat(StatusView.parse(mesh.statusJson(alice)).peers()).as("the first daemon still answers")
                .allSatisfy(p -> assertThat(p.state()).isEqualTo("CONNECTED"));
        return r;
    }

    static Optional<Long> unknownSenderCount(StatusView s) {
        return s.findNumber(UNKNOWN_SENDER_COUNTER);
    }
}
