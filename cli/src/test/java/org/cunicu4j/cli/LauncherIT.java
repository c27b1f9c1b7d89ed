package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.cunicu4j.testlab.Exec;

/**
 * {@code bin/cunicu4j} starting the shaded jar; runs after {@code package} (failsafe), with
 * JAVA_HOME set to the JDK running this test.
 */
class LauncherIT {

    private static final Path JAR = Path.of(System.getProperty("cunicu4j.jar", "target/cunicu4j.jar"));

    private static Map<String, String> env(boolean explicitJar) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CUNICU4J_JAR", explicitJar ? JAR.toAbsolutePath().toString() : null);
        return env;
    }

    @Test
    void versionThroughTheLauncherAndAnExplicitJar() {
        assertThat(JAR).isRegularFile();
        Exec.Result r = LauncherTest.launch(env(true), "version");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("cunicu4j " + VersionInfo.version() + "\nJava " + Runtime.version().feature());
        assertThat(VersionInfo.version()).isNotEqualTo("unknown");
    }

    @Test
    void theDefaultJarIsTheOneNextToTheScript() {
        Exec.Result r = LauncherTest.launch(env(false), "version");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("cunicu4j ");
    }

    @Test
    void genkeyPipedIntoPubkeyAndExitCodes() {
        Exec.Result key = LauncherTest.launch(env(true), "wg", "genkey");
        assertThat(key.exitCode()).isZero();
        assertThat(key.stdout()).matches("[A-Za-z0-9+/]{43}=\n");
        Exec.Result pub = Exec.run(Exec.DEFAULT_TIMEOUT, List.of(LauncherTest.LAUNCHER.toString(), "wg", "pubkey"),
                env(true), key.stdout());
        assertThat(pub.exitCode()).isZero();
        assertThat(pub.stdout()).isEqualTo(CliRun.withStdin(key.stdout(), "wg", "pubkey").stdout());

        Exec.Result bad = Exec.run(Exec.DEFAULT_TIMEOUT, List.of(LauncherTest.LAUNCHER.toString(), "wg", "pubkey"),
                env(true), "nope\n");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).isEqualTo("pubkey: invalid private key on stdin: "
                + "key must be 44 base64 characters encoding 32 bytes, got 4 characters\n");

        Exec.Result unknown = LauncherTest.launch(env(true), "xyzzy"); // shares no bigram with a command: usage, not "Did you mean"
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("Usage: cunicu4j");
    }

    @Test
    void nativeAccessIsEnabledWithoutWarnings() {
        Exec.Result r = LauncherTest.launch(env(true), "version");
        assertThat(r.stderr()).doesNotContain("WARNING");
    }
}
