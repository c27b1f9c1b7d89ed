package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up errors the user can fix: one line naming the key and the file; nothing left behind. */
class DaemonStartErrorsTest {

    @TempDir
    Path dir;

    private final long pid = ProcessHandle.current().pid();

    private Path write(String yaml) throws Exception {
        return DaemonTests.writeConfig(dir, "c", yaml);
    }

    private Daemon start(Path file) throws Exception {
        return DaemonTests.start(file, dir.resolve("locks"));
    }

    @Test
    void noBackendIsRefusedNamingTheKeyAndFile() throws Exception {
        Path file = write("""
                rpc: {socket: %s}
                interfaces:
                  wgx%d: {}
                """.formatted(dir.resolve("s.sock"), pid));
        assertThatThrownBy(() -> start(file)).isInstanceOf(DaemonException.class)
                .hasMessageContaining("backends").hasMessageContaining(file.toString());
        assertThat(dir.resolve("s.sock")).doesNotExist();
    }

    @Test
    void anInterfaceThatDoesNotExistWithoutUserspaceIsRefused() throws Exception {
        String ifname = "wgx" + pid + "u";
        Path file = write("""
                backends: [inprocess:errors-%d]
                rpc: {socket: %s}
                private_key: %s
                userspace: false
                interfaces:
                  %s: {}
                """.formatted(pid, dir.resolve("s.sock"), org.cunicu4j.wireguard.Key.generatePrivate().toBase64(), ifname));
        assertThatThrownBy(() -> start(file)).isInstanceOf(DaemonException.class)
                .hasMessageContaining("interface " + ifname + " does not exist and userspace is false");
    }

    @Test
    void nothingToManageIsRefused() throws Exception {
        Path file = write("""
                backends: [inprocess:errors-%d]
                rpc: {socket: %s}
                """.formatted(pid, dir.resolve("s.sock")));
        assertThatThrownBy(() -> start(file)).isInstanceOf(DaemonException.class)
                .hasMessageContaining("no interface to manage");
    }
}
