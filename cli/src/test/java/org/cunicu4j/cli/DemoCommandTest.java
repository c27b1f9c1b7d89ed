package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cunicu4j.testlab.mesh.Launcher;
import org.junit.jupiter.api.Test;

/** What the demo checks before it touches the machine, and how it launches itself. */
class DemoCommandTest {

    @Test
    void nothingMissingMeansNoProblems() {
        assertThat(DemoPrerequisites.problems(true, true, true, t -> Path.of("/usr/bin", t))).isEmpty();
    }

    @Test
    void notRootAndMissingToolsAreNamedWithThePackagesToInstall() {
        Set<String> absent = Set.of("turnserver", "nft", "ss", "ip");
        List<String> p = DemoPrerequisites.problems(false, false, false,
                t -> absent.contains(t) ? null : Path.of("/usr/bin", t));
        assertThat(p.getFirst()).startsWith("not root").contains("sudo ./dev.sh demo");
        assertThat(p).anyMatch(l -> l.startsWith("/dev/net/tun is missing"));
        assertThat(p).contains("missing tool turnserver (Debian package coturn)", "missing tool nft (Debian package nftables)");
        assertThat(p.getLast()).isEqualTo("install with: apt-get install iproute2 nftables coturn   (or: ./dev.sh deps)");
    }

    @Test
    void wireguardGoDevicesAlsoNeedWireguardGoAndWg() {
        List<String> p = DemoPrerequisites.problems(true, true, true,
                t -> t.startsWith("w") ? null : Path.of("/usr/bin", t));
        assertThat(p).containsExactly("missing tool wireguard-go (Debian package wireguard-go)",
                "missing tool wg (Debian package wireguard-tools)",
                "install with: apt-get install wireguard-go wireguard-tools   (or: ./dev.sh deps)");
        assertThat(DemoPrerequisites.problems(true, true, false, t -> t.startsWith("w") ? null : Path.of("/x", t)))
                .isEmpty();
    }

    @Test
    void theLauncherRunsThisJvmsJavaOnTheCliMainClass() {
        Launcher l = DemoCommand.ownLauncher();
        assertThat(l.prefix().getFirst()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(l.prefix()).contains("--enable-native-access=ALL-UNNAMED", "-cp");
        assertThat(l.prefix().getLast()).isEqualTo("org.cunicu4j.cli.Main");
        String cp = l.prefix().get(l.prefix().indexOf("-cp") + 1);
        assertThat(Path.of(cp.split(":")[0])).isAbsolute();
    }

    @Test
    void helpDescribesTheDemo() {
        CliRun r = CliRun.run("demo", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("--once").contains("symmetric NAT").contains("Ctrl-C");
    }
}
