package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateSocketsTest {
    @TempDir
    Path dir;

    @Test
    void publishesA0600SocketLeavesNoTemporaryAndRemovesOnlyItsOwnFile() throws Exception {
        Path socket = dir.resolve("x.sock");
        PrivateSockets.Published p = PrivateSockets.bind(socket, ".x", temp -> Files.createLink(socket, temp));
        try (var server = p.channel()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
            try (var list = Files.list(dir)) {
                assertThat(list.map(f -> f.getFileName().toString())).containsExactly("x.sock");
            }
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertThat(c.connect(UnixDomainSocketAddress.of(socket))).as("reachable under its public name").isTrue();
            }
            Files.delete(socket);
            Files.writeString(socket, "someone else's");
            assertThat(PrivateSockets.removeIfSame(socket, p.fileKey())).as("not ours any more").isFalse();
            assertThat(socket).exists();
            Files.delete(socket);
            assertThat(PrivateSockets.removeIfSame(socket, p.fileKey())).as("gone").isFalse();
        }
    }

    @Test
    void aFailingLinkClosesTheChannelAndCleansUp() throws Exception {
        Path socket = dir.resolve("y.sock");
        assertThatThrownBy(() -> PrivateSockets.bind(socket, ".y", temp -> {
            throw new IOException("name taken");
        })).hasMessage("name taken");
        try (var list = Files.list(dir)) {
            assertThat(list).as("no private directory left").isEmpty();
        }
        PrivateSockets.Published p = PrivateSockets.bind(socket, ".y", temp -> Files.createLink(socket, temp));
        try (var server = p.channel()) {
            assertThat(PrivateSockets.removeIfSame(socket, p.fileKey())).isTrue();
            assertThat(socket).doesNotExist();
        }
    }
}
