package org.cunicu4j.daemon.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonEvent.Type;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.mesh.Json;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Instant T = Instant.parse("2026-11-25T15:00:00Z");
    static final Key PEER = Key.generatePrivate().publicKey();
    static final String PK = PEER.toBase64();

    @TempDir
    Path dir;

    static DaemonEvent event(Type type, String iface, Key peer, String from, String to, String message) {
        return new DaemonEvent(T, type, iface, peer, from, to, message);
    }

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** Appends its argv, its stdin and $TAG to $OUT/log, one block per run. */
    private Path recorder() throws Exception {
        return script("record.sh", """
                { printf 'ARGS'; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\nSTDIN '; cat; printf 'TAG %s\\nEND\\n' "$TAG"; } >> "$OUT/log"
                """);
    }

    private String log() throws Exception {
        Path p = dir.resolve("log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static long count(String text, String part) {
        return text.lines().filter(l -> l.equals(part)).count();
    }

    private static Hooks.Stats stats(Hooks h, int i) {
        return h.stats().get(i);
    }

    @Test
    void execHooksGetTheDocumentedArgumentsAndJsonOnStdin() throws Exception {
        Path rec = recorder();
        Hooks.Exec exec = new Hooks.Exec(rec.toString(), List.of("--first"), Map.of("OUT", dir.toString(), "TAG", "t1"),
                true, Duration.ofSeconds(10));
        try (Hooks hooks = new Hooks(Hooks.Settings.of(exec), "wg0")) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "managing wg0"));
            hooks.accept(event(Type.PEER_ADDED, "wg0", PEER, null, null, "peer added"));
            hooks.accept(event(Type.SIGNALING, "wg0", PEER, null, null, "not hooked"));
            hooks.accept(event(Type.PEER_ADDED, "wg1", PEER, null, null, "another interface"));
            hooks.accept(event(Type.PEER_STATE_CHANGED, "wg0", PEER, "CHECKING", "CONNECTED", "peer \"x\" → connected"));
            hooks.accept(event(Type.ERROR, "wg0", null, null, null, "not hooked either"));
            hooks.accept(event(Type.PEER_REMOVED, "wg0", PEER, null, null, "peer removed"));
            hooks.accept(event(Type.INTERFACE_REMOVED, "wg0", null, null, null, "bye"));
            Waiter.until("five hook runs", WAIT, () -> count(uncheckedLog(), "END") == 5);
            // the script writes END before it exits; the run is counted after the exit
            Waiter.until("five runs counted", WAIT, () -> stats(hooks, 0).runs() == 5);
            assertThat(stats(hooks, 0)).isEqualTo(new Hooks.Stats("exec " + rec, 5, 0, 0, 0));
        }
        String json = "{\"time\":\"2026-11-25T15:00:00Z\",\"type\":\"%s\",\"interface\":\"wg0\",\"peer\":%s,"
                + "\"from\":%s,\"to\":%s,\"message\":\"%s\"}";
        assertThat(log()).isEqualTo(
                "ARGS [--first] [added] [interface] [wg0]\n"
                + "STDIN " + json.formatted("interface_added", "null", "null", "null", "managing wg0") + "\nTAG t1\nEND\n"
                + "ARGS [--first] [added] [peer] [wg0] [" + PK + "]\n"
                + "STDIN " + json.formatted("peer_added", "\"" + PK + "\"", "null", "null", "peer added") + "\nTAG t1\nEND\n"
                + "ARGS [--first] [changed] [peer] [connection-state] [wg0] [" + PK + "] [connected] [checking]\n"
                + "STDIN " + json.formatted("peer_state_changed", "\"" + PK + "\"", "\"CHECKING\"", "\"CONNECTED\"",
                        "peer \\\"x\\\" → connected") + "\nTAG t1\nEND\n"
                + "ARGS [--first] [removed] [peer] [wg0] [" + PK + "]\n"
                + "STDIN " + json.formatted("peer_removed", "\"" + PK + "\"", "null", "null", "peer removed") + "\nTAG t1\nEND\n"
                + "ARGS [--first] [removed] [interface] [wg0]\n"
                + "STDIN " + json.formatted("interface_removed", "null", "null", "null", "bye") + "\nTAG t1\nEND\n");
    }

    private String uncheckedLog() {
        try {
            return log();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void withoutStdinTheHookReadsNothingAndAHookForAllInterfacesSeesEveryInterface() throws Exception {
        Path rec = recorder();
        Hooks.Exec exec = new Hooks.Exec(rec.toString(), List.of(), Map.of("OUT", dir.toString(), "TAG", "t2"),
                false, Duration.ofSeconds(10));
        try (Hooks hooks = new Hooks(Hooks.Settings.of(exec), null)) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg7", null, null, null, "a"));
            hooks.accept(event(Type.INTERFACE_ADDED, "wg8", null, null, null, "b"));
            Waiter.until("two hook runs", WAIT, () -> count(uncheckedLog(), "END") == 2);
        }
        assertThat(log()).isEqualTo("ARGS [added] [interface] [wg7]\nSTDIN TAG t2\nEND\n"
                + "ARGS [added] [interface] [wg8]\nSTDIN TAG t2\nEND\n");
    }

    @Test
    void aFailingHookIsLoggedWithItsOutputAndTheNextEventsStillRun() throws Exception {
        Path fail = script("fail.sh", "echo \"boom for $1\" >&2\nexit 1");
        try (LogCapture logs = new LogCapture();
             Hooks hooks = new Hooks(Hooks.Settings.of(Hooks.Exec.of(fail.toString())), null)) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "a"));
            hooks.accept(event(Type.INTERFACE_REMOVED, "wg0", null, null, null, "b"));
            Waiter.until("two failed runs", WAIT, () -> stats(hooks, 0).failures() == 2);
            assertThat(stats(hooks, 0).runs()).isEqualTo(2);
            Waiter.until("the output is logged", WAIT, () -> logs.has("INFO", "boom for removed"));
            assertThat(logs.has("INFO", "boom for added")).isTrue();
            assertThat(logs.has("WARNING", "exited with code 1 for interface_added on wg0")).isTrue();
        }
        Path missing = dir.resolve("no-such-program");
        try (LogCapture logs = new LogCapture();
             Hooks hooks = new Hooks(Hooks.Settings.of(Hooks.Exec.of(missing.toString())), null)) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "a"));
            Waiter.until("a failed start", WAIT, () -> stats(hooks, 0).failures() == 1);
            assertThat(logs.has("WARNING", "cannot start it for interface_added")).isTrue();
        }
    }

    @Test
    void aHangingHookIsKilledWithItsChildrenAtTheTimeoutAndDoesNotHoldUpOtherHooks() throws Exception {
        Path hang = script("hang.sh", "echo $$ > \"$OUT/pid\"\nsleep 60 &\necho $! > \"$OUT/child\"\nwait");
        Path rec = recorder();
        Hooks.Exec hanging = new Hooks.Exec(hang.toString(), List.of(), Map.of("OUT", dir.toString()), true,
                Duration.ofMillis(500));
        Hooks.Exec recording = new Hooks.Exec(rec.toString(), List.of(), Map.of("OUT", dir.toString(), "TAG", "r"),
                true, Duration.ofSeconds(10));
        try (LogCapture logs = new LogCapture(); Hooks hooks = new Hooks(Hooks.Settings.of(hanging, recording), null)) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "a"));
            hooks.accept(event(Type.PEER_ADDED, "wg0", PEER, null, null, "b"));
            Waiter.until("the other hook ran twice", WAIT, () -> count(uncheckedLog(), "END") == 2);
            Waiter.until("two timeouts", WAIT, () -> stats(hooks, 0).timeouts() == 2);
            long pid = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
            long child = Long.parseLong(Files.readString(dir.resolve("child")).strip());
            Waiter.until("the script and its sleep are gone", WAIT, () -> !alive(pid) && !alive(child));
            assertThat(logs.has("WARNING", "did not finish within PT0.5S for peer_added on wg0")).isTrue();
            Waiter.until("the other hook's two runs counted", WAIT, () -> stats(hooks, 1).runs() == 2);
            assertThat(stats(hooks, 1)).isEqualTo(new Hooks.Stats("exec " + rec, 2, 0, 0, 0));
        }
    }

    private static java.util.Set<Path> hookTempFiles() throws Exception {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(f -> f.getFileName().toString().startsWith(ExecHook.TEMP_PREFIX))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void aHookWritingALotWithoutNewlinesIsLoggedBoundedAndItsFilesAreDeleted() throws Exception {
        java.util.Set<Path> before = hookTempFiles();
        Path flood = script("flood.sh", "head -c 20000000 /dev/zero | tr '\\0' x\necho\necho done");
        try (LogCapture logs = new LogCapture();
             Hooks hooks = new Hooks(Hooks.Settings.of(Hooks.Exec.of(flood.toString())), null)) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "a"));
            Waiter.until("the run ends", WAIT, () -> stats(hooks, 0).runs() == 1);
            assertThat(stats(hooks, 0).failures()).isZero();
            Waiter.until("the output is logged", WAIT, () -> logs.has("INFO", "more byte(s) of output not logged"));
            // one line cut at MAX_LINE characters, then the size of what was not read: 20 000 006 - 16 KiB
            assertThat(logs.lines).anyMatch(l -> l.startsWith("INFO ") && l.endsWith(": " + "x".repeat(1000) + "…"));
            assertThat(logs.has("INFO", ": " + (20_000_006L - ExecHook.MAX_LOGGED_BYTES) + " more byte(s)")).isTrue();
            assertThat(logs.lines).noneMatch(l -> l.contains("x".repeat(1001)));
        }
        java.util.Set<Path> left = hookTempFiles();
        left.removeAll(before);
        assertThat(left).as("temporary files left behind").isEmpty();
    }

    @Test
    void aBackgroundChildHoldingStdoutDoesNotHoldTheRunNorGetLogged() throws Exception {
        Path bg = script("bg.sh", """
                if [ "$1" = added ]; then
                  echo first
                  (sleep 0.3; echo late; touch "$OUT/late"; exec sleep 30) &
                  echo $! > "$OUT/child"
                else
                  echo second
                fi
                exit 0""");
        Hooks.Exec exec = new Hooks.Exec(bg.toString(), List.of(), Map.of("OUT", dir.toString()), true, Duration.ofSeconds(10));
        try (LogCapture logs = new LogCapture(); Hooks hooks = new Hooks(Hooks.Settings.of(exec), null)) {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "a"));
            Waiter.until("the first run ends", WAIT, () -> stats(hooks, 0).runs() == 1);
            Waiter.until("the child wrote its late line", WAIT, () -> Files.exists(dir.resolve("late")));
            hooks.accept(event(Type.INTERFACE_REMOVED, "wg0", null, null, null, "b"));
            Waiter.until("the second run ends", WAIT, () -> stats(hooks, 0).runs() == 2);
            assertThat(stats(hooks, 0)).isEqualTo(new Hooks.Stats("exec " + bg, 2, 0, 0, 0));
            assertThat(logs.has("INFO", ": second")).isTrue();
            assertThat(logs.has("INFO", ": first")).isTrue();
            // the output was read once the hook exited; what its child writes later goes nowhere
            assertThat(logs.lines).noneMatch(l -> l.contains("late"));
        } finally {
            Path child = dir.resolve("child");
            if (Files.exists(child)) {
                long pid = Long.parseLong(Files.readString(child).strip());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aLongEventOnStdinOfAHookThatNeverReadsItStillTimesOut() throws Exception {
        Path deaf = script("deaf.sh", "exec sleep 60");
        Hooks.Exec exec = new Hooks.Exec(deaf.toString(), List.of(), Map.of(), true, Duration.ofMillis(300));
        try (LogCapture logs = new LogCapture(); Hooks hooks = new Hooks(Hooks.Settings.of(exec), null)) {
            // 1 MB of JSON: more than a pipe holds, so writing it to a pipe would block until the hook exits
            hooks.accept(event(Type.PEER_ADDED, "wg0", PEER, null, null, "m".repeat(1 << 20)));
            Waiter.until("the run timed out", WAIT, () -> stats(hooks, 0).timeouts() == 1);
            assertThat(logs.has("WARNING", "did not finish within PT0.3S")).isTrue();
        }
    }

    @Test
    void theDaemonsCunicuVariablesAreNotPassedOnButConfiguredOnesAre() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", "/bin", "CUNICU_TOKEN", "s3cret",
                "CUNICU_CONFIG", "/etc/cunicu.yaml", "XCUNICU_KEEP", "1"));
        ExecHook.environment(env, Map.of("CUNICU_MINE", "ok", "TAG", "t"));
        assertThat(env).containsOnly(Map.entry("PATH", "/bin"), Map.entry("XCUNICU_KEEP", "1"),
                Map.entry("CUNICU_MINE", "ok"), Map.entry("TAG", "t"));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(h -> !ExecHook.gone(h)).orElse(false);
    }

    @Test
    void aFullQueueDropsEventsWithoutBlockingAndCloseKillsWhatStillRuns() throws Exception {
        Path hang = script("hang.sh", "echo $$ > \"$OUT/pid\"\nexec sleep 60");
        Hooks.Exec hanging = new Hooks.Exec(hang.toString(), List.of(), Map.of("OUT", dir.toString()), true,
                Duration.ofSeconds(60));
        Hooks hooks = new Hooks(new Hooks.Settings(List.of(hanging), 2, Duration.ZERO), null);
        long pid;
        try {
            hooks.accept(event(Type.INTERFACE_ADDED, "wg0", null, null, null, "0"));
            Waiter.until("the hook runs", WAIT, () -> Files.exists(dir.resolve("pid")));
            Waiter.until("the pid is written", WAIT, () -> uncheckedRead(dir.resolve("pid")).endsWith("\n"));
            pid = Long.parseLong(Files.readString(dir.resolve("pid")).strip());
            for (int i = 1; i <= 9; i++) {
                hooks.accept(event(Type.PEER_ADDED, "wg0", PEER, null, null, Integer.toString(i))); // returns at once
            }
            assertThat(stats(hooks, 0).dropped()).isEqualTo(7); // 1 running, 2 queued
            assertThat(alive(pid)).isTrue();
        } finally {
            hooks.close(); // drain timeout 0: kills the running hook
        }
        Waiter.until("the hook is gone", WAIT, () -> !alive(pid));
        hooks.accept(event(Type.INTERFACE_REMOVED, "wg0", null, null, null, "after close")); // ignored
        assertThat(stats(hooks, 0).runs()).isZero();
    }

    private static String uncheckedRead(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void webHooksPostTheJsonAndLogNon2xxAndTimeouts() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/ok", x -> {
            got.add(x.getRequestMethod() + " " + x.getRequestURI() + "\n" + x.getRequestHeaders().getFirst("Content-Type")
                    + "\n" + x.getRequestHeaders().getFirst("X-Token") + "\n" + x.getRequestHeaders().getFirst("User-Agent")
                    + "\n" + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.createContext("/fail", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(500, -1);
            x.close();
        });
        server.createContext("/hang", x -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (LogCapture logs = new LogCapture();
             Hooks hooks = new Hooks(Hooks.Settings.of(
                     new Hooks.Web(URI.create(base + "/ok?token=secret"), null, Map.of("X-Token", "t0ken"), Duration.ofSeconds(10)),
                     Hooks.Web.of(base + "/fail"),
                     new Hooks.Web(URI.create(base + "/hang"), "put", Map.of(), Duration.ofMillis(500))), "wg0")) {
            hooks.accept(event(Type.PEER_ADDED, "wg0", PEER, null, null, "peer added"));
            Waiter.until("every web hook ran", WAIT, () -> hooks.stats().stream().allMatch(s -> s.runs() == 1));
            assertThat(hooks.stats()).containsExactly(
                    new Hooks.Stats("POST " + base + "/ok", 1, 0, 0, 0),
                    new Hooks.Stats("POST " + base + "/fail", 1, 1, 0, 0),
                    new Hooks.Stats("PUT " + base + "/hang", 1, 0, 1, 0));
            assertThat(got).containsExactly("POST /ok?token=secret\napplication/json\nt0ken\n" + WebHook.USER_AGENT + "\n"
                    + "{\"time\":\"2026-11-25T15:00:00Z\",\"type\":\"peer_added\",\"interface\":\"wg0\",\"peer\":\"" + PK
                    + "\",\"from\":null,\"to\":null,\"message\":\"peer added\"}");
            assertThat(logs.has("WARNING", "HTTP status 500 for peer_added on wg0")).isTrue();
            assertThat(logs.has("WARNING", "no complete response within PT0.5S")).isTrue();
            assertThat(logs.lines).noneMatch(l -> l.contains("secret") || l.contains("t0ken"));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void aServerThatStallsAfterItsHeadersTimesOutAndFreesTheWorker() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> got = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/stall", x -> {
            got.add(x.getRequestURI().getPath());
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(200, 0); // chunked: the headers go out, the body never ends
            x.getResponseBody().write("partial".getBytes(StandardCharsets.UTF_8));
            x.getResponseBody().flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (LogCapture logs = new LogCapture();
             Hooks hooks = new Hooks(Hooks.Settings.of(
                     new Hooks.Web(URI.create(base + "/stall"), null, Map.of(), Duration.ofMillis(300))), null)) {
            hooks.accept(event(Type.PEER_ADDED, "wg0", PEER, null, null, "one"));
            hooks.accept(event(Type.PEER_REMOVED, "wg0", PEER, null, null, "two"));
            // before the fix the first run blocked on the body until the server let go
            Waiter.until("both runs timed out while the server still stalls", WAIT, () -> stats(hooks, 0).timeouts() == 2);
            assertThat(release.getCount()).isEqualTo(1);
            assertThat(got).isNotEmpty().allMatch("/stall"::equals);
            assertThat(logs.has("WARNING", "no complete response within PT0.3S for peer_removed on wg0")).isTrue();
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void theJsonEscapesEverythingAndNeverCarriesASecretKey() {
        String nasty = "he said \"hi\"\n\t\\ \u0001 \u007f \u0085 \u2028 \u202e ünï ✓";
        DaemonEvent e = event(Type.PEER_ADDED, "wg0", Key.generatePrivate(), null, null, nasty);
        String json = EventJson.render(e);
        assertThat(json).doesNotContain("\n").doesNotContain("\u2028").doesNotContain("\u202e").contains("\\u0001");
        Map<String, Object> o = Json.object(Json.parse(json));
        assertThat(o.get("message")).isEqualTo(nasty);
        assertThat(o).containsEntry("peer", null).containsEntry("type", "peer_added").containsEntry("time", "2026-11-25T15:00:00Z");
        assertThat(o).containsOnlyKeys("time", "type", "interface", "peer", "from", "to", "message");
        assertThat(EventArgs.of(e)).containsExactly("added", "peer", "wg0", ""); // no secret in argv either
    }

    @Test
    void badSettingsNameWhatIsWrong() {
        assertThatThrownBy(() -> Hooks.Web.of("ftp://example.org/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp://example.org/x").hasMessageContaining("http");
        assertThatThrownBy(() -> new Hooks.Web(URI.create("http://h/x"), null, Map.of("Host", "y"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header 'Host'")
                .hasMessageContaining("restricted");
        assertThatThrownBy(() -> new Hooks.Web(URI.create("http://h/x"), null, Map.of("X-Token", "s3cret\r\nX: y"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header 'X-Token'")
                .hasMessageContaining("value").message().doesNotContain("s3cret");
        assertThatThrownBy(() -> new Hooks.Web(URI.create("http://h/x"), "GE T", Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("method 'GE T'");
        assertThatThrownBy(() -> new Hooks.Exec(" ", List.of(), Map.of(), true, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a command");
        assertThatThrownBy(() -> new Hooks.Exec("/bin/true", List.of(), Map.of(), true, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/bin/true").hasMessageContaining("positive");
        assertThatThrownBy(() -> new Hooks.Settings(List.of(), 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue capacity");
    }
}
