package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.control.ControlServer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.mesh.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** status, monitor and restart against a real control socket served from a fake daemon. */
@Timeout(30)
class ControlCommandsTest {
    @TempDir
    Path dir;

    private final ControlFixtures.FakeApi api = new ControlFixtures.FakeApi();
    private ControlServer server;
    private Path sock;

    @BeforeEach
    void start() throws Exception {
        sock = dir.resolve("d.sock");
        server = ControlServer.start(sock, api);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void statusJsonIsTheDaemonsStatus() {
        CliRun r = CliRun.run("status", "--json", "--socket", sock.toString());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isZero();
        Map<String, Object> doc = Json.object(Json.parse(r.stdout()));
        assertThat(r.stdout()).endsWith("\n");
        assertThat(doc.get("interfaces"))
                .isEqualTo(Json.object(Json.parse(StatusJson.render(ControlFixtures.status()))).get("interfaces"));
        assertThat(Json.object(doc.get("counters"))).containsEntry("signaling_unknown_sender", 3L)
                .containsEntry("control_malformed_requests", 0L);
    }

    @Test
    void statusTableWithoutColourWhenNotATerminal() {
        CliRun r = CliRun.run("status", "--socket", sock.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("cunicu4j daemon 0.1.0 (pid 4242), up ")
                .contains("interface wg0\n").contains("interface wg1\n")
                .contains("host 10.0.0.1:51820 ↔ srflx 198.51.100.7:40000 (udp)")
                .doesNotContain("\033");
        CliRun colored = CliRun.run("status", "--color", "always", "--socket", sock.toString());
        assertThat(colored.stdout()).contains("\033[32mconnected\033[0m");
    }

    @Test
    void statusOfOneInterface() {
        CliRun r = CliRun.run("status", "--json", "--socket", sock.toString(), "wg1");
        assertThat(r.exitCode()).isZero();
        List<Object> ifaces = Json.array(Json.object(Json.parse(r.stdout())).get("interfaces"));
        assertThat(ifaces).hasSize(1);
        assertThat(Json.object(ifaces.getFirst())).containsEntry("name", "wg1");
        assertThat(Json.object(Json.object(Json.parse(r.stdout())).get("counters")))
                .as("one interface keeps the daemon's counters")
                .containsEntry("signaling_unknown_sender", 3L)
                .containsKey("control_malformed_requests");
        CliRun table = CliRun.run("status", "--socket", sock.toString(), "wg1");
        assertThat(table.stdout()).contains("counters: signaling_unknown_sender 3\n").contains("interface wg1\n")
                .doesNotContain("interface wg0");
        CliRun none = CliRun.run("status", "--socket", sock.toString(), "wg7");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stderr()).isEqualTo("status: the daemon has no interface wg7 (it manages wg0, wg1)\n");
        assertThat(none.stdout()).isEmpty();
    }

    @Test
    void theDaemonsErrorTextCannotDriveTheTerminal() {
        api.statusFailure = new IllegalStateException("boom\033[2J\u202egnp.exe");
        CliRun r = CliRun.run("status", "--socket", sock.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("status: status: status failed: boom\\x1b[2J\\u202egnp.exe\n")
                .doesNotContain("\033").doesNotContain("\u202e");
    }

    @Test
    void noDaemonIsExit1WithTheHint() {
        Path missing = dir.resolve("none.sock");
        CliRun r = CliRun.run("status", "--socket", missing.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("status: no daemon at " + missing
                + " (is `cunicu4j daemon` running? --socket names another)\n");
        CliRun m = CliRun.run("monitor", "--socket", missing.toString());
        assertThat(m.exitCode()).isEqualTo(1);
        assertThat(m.stderr()).startsWith("monitor: no daemon at " + missing);
    }

    @Test
    void badColourIsAUsageError() {
        CliRun r = CliRun.run("status", "--color", "sometimes", "--socket", sock.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--color: 'sometimes' is not a colour mode (auto, always or never)");
    }

    /** A command running on another thread whose output can be watched while it runs. */
    private record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
        static Running start(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine(Stdio.of(new ByteArrayInputStream(new byte[0])));
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return new Running(CompletableFuture.supplyAsync(() -> cl.execute(args)), out, err);
        }

        List<String> lines() {
            return out.toString().lines().toList();
        }
    }

    @Test
    void monitorPrintsEventsAsTheyHappenUntilTheDaemonEndsTheStream() throws Exception {
        Running m = Running.start("monitor", "--socket", sock.toString());
        assertThat(api.watching.await(10, TimeUnit.SECONDS)).isTrue();
        api.emit(new DaemonEvent(Instant.parse("2026-11-25T12:00:00Z"), DaemonEvent.Type.PEER_STATE_CHANGED, "wg0",
                ControlFixtures.ALICE, "checking", "connected", null));
        Waiter.until("the first event is printed", Duration.ofSeconds(10), () -> m.lines().size() == 1);
        api.emit(new DaemonEvent(Instant.parse("2026-11-25T12:00:01Z"), DaemonEvent.Type.PEER_RESTARTED, "wg0",
                ControlFixtures.BOB, null, null, "remote credentials changed"));
        Waiter.until("the second event is printed", Duration.ofSeconds(10), () -> m.lines().size() == 2);
        assertThat(m.lines()).containsExactly(
                "2026-11-25T12:00:00.000Z peer_state_changed wg0 AgICAgIC…: checking → connected",
                "2026-11-25T12:00:01.000Z peer_restarted wg0 AwMDAwMD…: remote credentials changed");
        server.close();
        assertThat(m.exit().get(10, TimeUnit.SECONDS)).isZero();
        assertThat(m.err().toString()).isEqualTo("monitor: the daemon ended the event stream\n");
    }

    @Test
    void monitorJsonPrintsOneObjectPerLine() throws Exception {
        Running m = Running.start("monitor", "--json", "--socket", sock.toString());
        assertThat(api.watching.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            api.emit(new DaemonEvent(Instant.ofEpochSecond(i), DaemonEvent.Type.SIGNALING, null, null, null, null, "m" + i));
        }
        Waiter.until("three events printed", Duration.ofSeconds(10), () -> m.lines().size() == 3);
        for (int i = 0; i < 3; i++) {
            Map<String, Object> e = Json.object(Json.parse(m.lines().get(i)));
            assertThat(e).containsEntry("type", "signaling").containsEntry("message", "m" + i)
                    .containsEntry("time", Instant.ofEpochSecond(i).toString()).containsEntry("peer", null);
        }
        server.close();
        assertThat(m.exit().get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void restartByKeyAndByName() {
        CliRun byKey = CliRun.run("restart", "--socket", sock.toString(), "wg0", ControlFixtures.BOB.toBase64());
        assertThat(byKey.exitCode()).isZero();
        assertThat(byKey.stdout()).isEqualTo("restarted AwMDAwMD… on wg0\n");
        assertThat(api.restarted).isEqualTo(ControlFixtures.BOB);
        CliRun byName = CliRun.run("restart", "--socket", sock.toString(), "wg0", "alice");
        assertThat(byName.exitCode()).isZero();
        assertThat(api.restarted).isEqualTo(ControlFixtures.ALICE);
        CliRun unknown = CliRun.run("restart", "--socket", sock.toString(), "wg1", ControlFixtures.BOB.toBase64());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).isEqualTo("restart: no peer AwMDAwMD… on wg1\n");
        CliRun noName = CliRun.run("restart", "--socket", sock.toString(), "wg0", "dave");
        assertThat(noName.exitCode()).isEqualTo(1);
        assertThat(noName.stderr()).isEqualTo("restart: no peer named 'dave' on wg0 (give its name or its public key)\n");
    }
}
