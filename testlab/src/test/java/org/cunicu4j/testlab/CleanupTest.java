package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "nft", "sleep"})
class CleanupTest {
    /** Above the largest possible pid_max (2^22), so no process ever has it. */
    private static final long DEAD_PID = 9_999_999;

    @Test
    void closeStopsProcessesByPidAndRemovesEveryNamespaceOfTheLab() {
        String id;
        long pid;
        try (Lab lab = Lab.open()) {
            id = lab.id();
            Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC);
            LabProcess sleeper = lab.host("extra").start("sleep", "600");
            pid = sleeper.pid();
            assertThat(sleeper.isAlive()).isTrue();
            assertThat(namespaces()).contains(id + "-alice", id + "-internet", id + "-nata-lan");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(namespaces()).doesNotContain(id + "-");
    }

    @Test
    void openSweepsNamespacesOfDeadJvmsAndKillsWhatRunsInThem() throws Exception {
        String dead = Lab.PREFIX + DEAD_PID + "-1-x";
        String alive = Lab.PREFIX + "1-1-x"; // pid 1 always runs: its namespace must survive
        Exec.run("ip", "netns", "add", dead).orThrow();
        Exec.run("ip", "netns", "add", alive).orThrow();
        LabProcess orphan = null;
        try {
            orphan = new LabProcess(java.util.List.of("ip", "netns", "exec", dead, "sleep", "600"),
                    tempLog());
            LabProcess o = orphan;
            Waiter.until("the orphan runs in " + dead, Duration.ofSeconds(5),
                    () -> Exec.run("ip", "netns", "pids", dead).stdout().contains(Long.toString(o.pid())));

            Lab.open().close();

            assertThat(namespaces()).doesNotContain(dead).contains(alive);
            Waiter.until("the orphan is dead", Duration.ofSeconds(5), () -> !o.isAlive());
        } finally {
            Exec.run("ip", "netns", "del", dead);
            Exec.run("ip", "netns", "del", alive);
            if (orphan != null) {
                orphan.close();
            }
        }
    }

    @Test
    void openSweepsStaleWireguardSocketsOfDeadJvmsButNotServedOnes() throws Exception {
        Files.createDirectories(WireguardGo.SOCKET_DIR);
        Path stale = WireguardGo.socketOf(WireguardGo.PREFIX + DEAD_PID + "n1");
        Path served = WireguardGo.socketOf(WireguardGo.PREFIX + DEAD_PID + "n2");
        Path foreign = WireguardGo.socketOf("wg0test" + DEAD_PID);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
            live.bind(UnixDomainSocketAddress.of(served));
            other.bind(UnixDomainSocketAddress.of(foreign));
            s.close(); // the file stays, as after a killed wireguard-go
            other.close();
            assertThat(stale).exists();

            Lab.open().close();

            assertThat(stale).as("stale socket of a dead JVM").doesNotExist();
            assertThat(served).as("a socket someone still serves").exists();
            assertThat(foreign).as("a socket not named by us").exists();
        } finally {
            Files.deleteIfExists(stale);
            Files.deleteIfExists(served);
            Files.deleteIfExists(foreign);
        }
    }

    private static String namespaces() {
        return Exec.run("ip", "netns", "list").stdout();
    }

    private static Path tempLog() throws java.io.IOException {
        Path log = Files.createTempFile("c4j-orphan-", ".log");
        log.toFile().deleteOnExit();
        return log;
    }
}
