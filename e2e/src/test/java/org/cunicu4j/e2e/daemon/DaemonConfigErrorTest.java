package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.cunicu4j.testlab.Exec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code cunicu4j daemon -c bad.yaml} as a user runs it (a JVM of its own): a malformed
 * configuration makes it exit non-zero before it touches any interface, with one message on
 * stderr that names the file and the key (dotted path) and no stack trace. Needs neither
 * root nor a lab: the configuration is read before anything else.
 */
class DaemonConfigErrorTest {
    private static final Duration EXIT = Duration.ofSeconds(60);

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("a port that is not a number", "listen_port: seventy\n", "listen_port"),
                Arguments.of("a duration that does not parse", "ice:\n  check_interval: soon\n", "ice.check_interval"),
                Arguments.of("an unknown proxy mode", "proxy: teleport\n", "proxy"),
                Arguments.of("an MTU that is not a number, under an interface pattern",
                        "interfaces:\n  wgbad*:\n    mtu: lots\n", "mtu"),
                Arguments.of("a peer's public key that is not base64",
                        "interfaces:\n  wgbad0:\n    peers:\n      bob:\n        public_key: not-a-key\n", "public_key"),
                Arguments.of("YAML that does not parse (no key: the file and the line)", "ice: [urls\n", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void aMalformedConfigMakesTheDaemonExitNonZeroNamingTheFileAndTheKey(String what, String yaml, String key,
            @TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Exec.Result r = Cli.exec(null, EXIT, "daemon", "-c", file.toString());

        assertThat(r.exitCode()).as("exit code of cunicu4j daemon with %s; stderr:%n%s", what, r.stderr()).isNotZero();
        assertThat(r.stderr()).as("stderr names the file").contains(file.toString());
        if (key.isEmpty()) {
            assertThat(r.stderr()).as("stderr names the file and a line").containsPattern(
                    java.util.regex.Pattern.quote(file.toString()) + ":\\d+");
        } else {
            assertThat(r.stderr()).as("stderr names the key").contains(key);
        }
        assertThat(r.stderr()).as("one clear message, no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
    }
}
