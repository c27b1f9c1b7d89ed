package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing the socket directory as wg does: live sockets only, stale ones removed, other files left alone. */
class UapiSocketsTest {
    @TempDir
    Path dir;

    @Test
    void listsLiveSocketsRemovesStaleOnesAndSkipsOtherFiles() throws Exception {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(dir.resolve("live0.sock")));
            try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                dead.bind(UnixDomainSocketAddress.of(dir.resolve("stale0.sock")));
            }
            Files.writeString(dir.resolve("file0.sock"), "not a socket");
            assertThat(dir.resolve("stale0.sock")).exists();

            assertThat(UapiSockets.list(dir)).containsExactly("live0");
            assertThat(dir.resolve("stale0.sock")).doesNotExist();
            assertThat(dir.resolve("file0.sock")).exists();
            assertThat(UapiSockets.usable(dir.resolve("live0.sock"))).isTrue();
            assertThat(UapiSockets.usable(dir.resolve("missing.sock"))).isFalse();
        }
    }
}
