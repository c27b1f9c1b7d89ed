package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Cleanup across JVMs: the shutdown hook of a JVM that exits, the sweep after one that was killed. */
@RequiresRoot
@RequiresTools({"ip", "sleep"})
class JvmLifecycleTest {

    @Test
    void theShutdownHookClosesLabsLeftOpen() throws Exception {
        Process child = probe("exit");
        Map<String, String> out = readUntilReady(child);
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(namespaces()).doesNotContain(out.get("netns"));
        assertThat(alive(Long.parseLong(out.get("pid")))).isFalse();
    }

    @Test
    void aKilledJvmsLabIsSweptWhenTheNextLabOpens() throws Exception {
        Process child = probe("hang");
        Map<String, String> out = readUntilReady(child);
        String netns = out.get("netns");
        long sleeper = Long.parseLong(out.get("pid"));
        try {
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // no precondition on the namespace still being there: another JVM on this
            // machine opening a lab may sweep it first, which is just as good

            Lab.open().close();

            assertThat(namespaces()).doesNotContain(netns);
            Waiter.until("the orphan is dead", Duration.ofSeconds(5), () -> !alive(sleeper));
        } finally {
            Exec.run("ip", "netns", "del", netns);
            ProcessHandle.of(sleeper).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static Process probe(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LabProbe.class.getName(), mode)
                .redirectErrorStream(true)
                .start();
    }

    private static Map<String, String> readUntilReady(Process child) throws Exception {
        CompletableFuture<Map<String, String>> f = CompletableFuture.supplyAsync(() -> {
            Map<String, String> values = new HashMap<>();
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.append(line).append('\n');
                    if (line.equals("ready")) {
                        return values;
                    }
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        values.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new AssertionError("the probe JVM ended before it was ready:\n" + all);
        });
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            child.destroyForcibly();
            throw new AssertionError("the probe JVM was not ready within 30 s", e);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String namespaces() {
        return Exec.run("ip", "netns", "list").stdout();
    }
}
