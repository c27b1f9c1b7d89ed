package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondLockOnTheSameInterfaceIsRefusedNamingThePid() throws Exception {
        try (InterfaceLock first = InterfaceLock.acquire(dir, "wg0")) {
            assertThat(Files.readString(first.file()).trim()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> InterfaceLock.acquire(dir, "wg0"))
                    .isInstanceOf(DaemonException.class)
                    .hasMessageStartingWith("interface wg0 is already managed by cunicu4j daemon pid "
                            + ProcessHandle.current().pid());
            try (InterfaceLock other = InterfaceLock.acquire(dir, "wg1")) {
                assertThat(other.file()).exists();
            }
        }
    }

    @Test
    void closingReleasesAndDeletes() throws Exception {
        Path file;
        try (InterfaceLock l = InterfaceLock.acquire(dir, "wg0")) {
            file = l.file();
        }
        assertThat(file).doesNotExist();
        try (InterfaceLock again = InterfaceLock.acquire(dir, "wg0")) {
            assertThat(again.file()).exists();
        }
    }

    @Test
    void aStaleFileFromADeadProcessDoesNotBlock() throws Exception {
        Files.writeString(InterfaceLock.fileOf(dir, "wg0"), "999999\n");
        try (InterfaceLock l = InterfaceLock.acquire(dir, "wg0")) {
            assertThat(Files.readString(l.file()).trim()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }
}
