package org.cunicu4j.signaling.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The joined socket on {@code lo} of the test's own namespace: no root, no route needed. */
@Timeout(20)
class GroupChannelTest {

    static MulticastTarget onLoopback(String group) {
        // a port of our own: other tests on this machine may use the default 9999
        return MulticastTarget.parse("multicast://" + group + ":" + freePort() + "?interface=lo");
    }

    static int freePort() {
        try (var ch = java.nio.channels.DatagramChannel.open()) {
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoSocketsOnOneHostBothHearADatagram() throws Exception {
        MulticastTarget target = onLoopback("239.0.0.1");
        try (GroupChannel a = GroupChannel.open(target); GroupChannel b = GroupChannel.open(target)) {
            assertThat(a.networkInterface().getName()).isEqualTo("lo");
            assertThat(a.localAddress().getPort()).isEqualTo(target.port());
            a.send(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
            assertThat(receiveText(a)).isEqualTo("hello"); // loopback on: the sender hears itself
            assertThat(receiveText(b)).isEqualTo("hello");
        }
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        GroupChannel ch = GroupChannel.open(onLoopback("239.0.0.2"));
        CompletableFuture<SocketAddress> received = CompletableFuture.supplyAsync(() -> {
            try {
                return ch.receive(ByteBuffer.allocate(64));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        // whether close() comes before or during the receive, the receive returns null
        ch.close();
        assertThat(received.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(ch.isOpen()).isFalse();
        ch.close(); // idempotent
    }

    @Test
    void anUnknownInterfaceIsNamed() {
        assertThatThrownBy(() -> GroupChannel.open(MulticastTarget.parse("multicast://239.0.0.3:9?interface=nosuch0")))
                .isInstanceOf(IOException.class).hasMessageContaining("no interface named nosuch0");
    }

    @Test
    void aLinkLocalIpv6GroupNeedsAnInterface() {
        assertThatThrownBy(() -> GroupChannel.open(MulticastTarget.parse("multicast://[ff02::4242]:9")))
                .isInstanceOf(IOException.class).hasMessageContaining("needs an interface");
    }

    private static String receiveText(GroupChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertThat(ch.receive(buf)).isNotNull();
        buf.flip();
        return StandardCharsets.US_ASCII.decode(buf).toString();
    }
}
