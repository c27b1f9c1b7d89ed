package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, end to end: {@code bin/cunicu4j demo --once} on the shaded jar
 * (runs after {@code package}, failsafe) builds the demo mesh, connects all three pairs (the
 * two with carol, behind a symmetric NAT, through the relay), pings every pair through the
 * tunnels, exits 0 and leaves no namespace, process or socket behind.
 */
@RequiresRoot
@RequiresTools({"ip", "ss", "nft", "ping", "turnserver"})
class DemoIT {
    private static final Pattern LAB = Pattern.compile("lab (c4j-\\d+-\\d+) built");
    private static final Pattern PID = Pattern.compile("daemon started \\(pid (\\d+), (c4j\\w+),");

    @TempDir
    Path logs;

    @Test
    void demoOnceConnectsEveryPairPingsThroughTheTunnelsAndCleansUp() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CUNICU4J_JAR", Path.of(System.getProperty("cunicu4j.jar", "target/cunicu4j.jar")).toAbsolutePath()
                .toString());
        Exec.Result r = Exec.run(Duration.ofSeconds(300), List.of(LauncherTest.LAUNCHER.toString(), "demo", "--once",
                "--timeout", "150", "--keep-logs", logs.toString()), env, "");
        String out = r.stdout();
        String why = out + "\n--- stderr\n" + r.stderr() + "\n--- daemon logs\n" + logsText();
        assertThat(r.exitCode()).as(why).isZero();
        assertThat(out).as(why).contains("signaling server up").contains("coturn up")
                .contains("every peer connected to both others").contains("== alice (10.99.0.1")
                .contains("Ping through the tunnels").doesNotContain("FAIL")
                .endsWith("done: nothing left behind\n");
        assertThat(out).as(why).containsPattern("alice ↔ bob connected \\((srflx|prflx|host) ↔ (srflx|prflx|host)\\)")
                .containsPattern("alice ↔ carol connected \\([a-z]+ ↔ [a-z]+\\)");
        assertThat(lines(out, "↔ carol connected")).as("carol's pairs relay: " + why).hasSize(2)
                .allMatch(l -> l.contains("relay"));

        Matcher lab = LAB.matcher(out);
        assertThat(lab.find()).as(out).isTrue();
        assertThat(Exec.run("ip", "netns", "list").stdout()).doesNotContain(lab.group(1) + "-");
        Matcher pid = PID.matcher(out);
        List<Long> pids = new ArrayList<>();
        while (pid.find()) {
            pids.add(Long.parseLong(pid.group(1)));
            assertThat(Path.of("/var/run/wireguard", pid.group(2) + ".sock")).doesNotExist();
        }
        assertThat(pids).hasSize(3).allMatch(p -> ProcessHandle.of(p).isEmpty());
        assertThat(logs.resolve("alice-daemon.log")).content().contains("daemon ready");
    }

    private static List<String> lines(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).toList();
    }

    private String logsText() {
        try (var files = Files.list(logs)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.sorted().toList()) {
                sb.append("=== ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
            return sb.toString();
        } catch (Exception e) {
            return "(no logs: " + e + ")";
        }
    }
}
