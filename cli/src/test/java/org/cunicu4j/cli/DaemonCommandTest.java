package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cunicu4j daemon} errors: exit code 1 and one line naming what is wrong, no stack trace. */
class DaemonCommandTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static void assertOneLineError(CliRun r, String... contains) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("daemon: ").contains(contains).doesNotContain("\tat ");
        assertThat(r.stderr().strip().lines().count()).as(r.stderr()).isEqualTo(1);
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertOneLineError(CliRun.run("daemon", "-c", missing.toString()), missing.toString());
    }

    @Test
    void aBadValueNamesFileAndKey() throws Exception {
        Path file = write("listen_port: many\n");
        assertOneLineError(CliRun.run("daemon", "-c", file.toString()), file.toString(), "listen_port");
    }

    @Test
    void noBackendNamesTheKey() throws Exception {
        Path file = write("rpc: {socket: " + dir.resolve("s.sock") + "}\ninterfaces:\n  wgq0: {}\n");
        assertOneLineError(CliRun.run("daemon", "-c", file.toString()), "no signaling backend", "backends", file.toString());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CliRun r = CliRun.run("daemon", "--frobnicate");
        assertThat(r.exitCode()).isEqualTo(2);
    }
}
