package org.cunicu4j.net.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

class MemoryPacketConnTest {

    private static final InetSocketAddress A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1000);
    private static final InetSocketAddress B = new InetSocketAddress(InetAddress.getLoopbackAddress(), 2000);

    private static PacketBatch batchOf(InetSocketAddress to, String... payloads) {
        PacketBatch batch = new PacketBatch(Math.max(1, payloads.length), 1500);
        for (int i = 0; i < payloads.length; i++) {
            batch.buffer(i).clear().put(payloads[i].getBytes(StandardCharsets.UTF_8)).flip();
            batch.setAddress(i, to);
        }
        batch.setCount(payloads.length);
        return batch;
    }

    private static String text(PacketBatch batch, int slot) {
        var buf = batch.buffer(slot);
        byte[] b = new byte[buf.remaining()];
        buf.get(buf.position(), b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void datagramsFlowBothWaysWithTheSenderAsSource() throws Exception {
        MemoryPacketConn[] p = MemoryPacketConn.pair(A, B);
        try (MemoryPacketConn a = p[0]; MemoryPacketConn b = p[1]) {
            PacketBatch out = batchOf(B, "one", "two", "three");
            assertThat(a.send(out)).isEqualTo(3);
            assertThat(out.buffer(0).position()).isZero();

            PacketBatch in = new PacketBatch(2, 1500);
            assertThat(b.receive(in)).isEqualTo(2);
            assertThat(in.count()).isEqualTo(2);
            assertThat(text(in, 0)).isEqualTo("one");
            assertThat(text(in, 1)).isEqualTo("two");
            assertThat(in.address(0)).isEqualTo(A);
            assertThat(b.receive(in)).isEqualTo(1);
            assertThat(text(in, 0)).isEqualTo("three");

            b.send(batchOf(A, "back"));
            assertThat(a.receive(in)).isEqualTo(1);
            assertThat(text(in, 0)).isEqualTo("back");
            assertThat(in.address(0)).isEqualTo(B);
            assertThat(a.localAddress()).isEqualTo(A);
            assertThat(a.peer()).isSameAs(b);
        }
    }

    @Test
    void dropsWhenAddressedElsewhereOrQueueFullOrTooLargeForTheSlot() throws Exception {
        MemoryPacketConn[] p = MemoryPacketConn.pair(A, B, 3);
        try (MemoryPacketConn a = p[0]; MemoryPacketConn b = p[1]) {
            a.send(batchOf(new InetSocketAddress(InetAddress.getLoopbackAddress(), 3000), "lost"));
            assertThat(a.dropped()).isEqualTo(1);
            a.send(batchOf(B, "0123456789", "x", "0123", "overflow"));
            assertThat(a.dropped()).isEqualTo(2);

            PacketBatch small = new PacketBatch(4, 4);
            assertThat(b.receive(small)).as("the 10-byte datagram is dropped, not cut").isEqualTo(2);
            assertThat(text(small, 0)).isEqualTo("x");
            assertThat(text(small, 1)).isEqualTo("0123");
            assertThat(b.truncatedDrops()).isEqualTo(1);
        }
    }

    @Test
    void aReceiveThatFindsOnlyOversizedDatagramsKeepsWaiting() throws Exception {
        MemoryPacketConn[] p = MemoryPacketConn.pair(A, B);
        try (MemoryPacketConn a = p[0]; MemoryPacketConn b = p[1]) {
            a.send(batchOf(B, "much too long"));
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                try {
                    PacketBatch small = new PacketBatch(1, 4);
                    b.receive(small);
                    return text(small, 0);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Waiter.until("the oversized datagram is dropped", Duration.ofSeconds(5), () -> b.truncatedDrops() == 1);
            assertThat(got).isNotDone();
            a.send(batchOf(B, "fits"));
            assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("fits");
        }
    }

    @Test
    void closeWakesABlockedReceiverAndLaterCallsThrow() throws Exception {
        MemoryPacketConn[] p = MemoryPacketConn.pair(A, B);
        MemoryPacketConn a = p[0];
        MemoryPacketConn b = p[1];
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                b.receive(new PacketBatch(1, 100));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Waiter.until("receiver blocks", Duration.ofSeconds(5), () -> receiver.getState() == Thread.State.WAITING);
        b.close();
        b.close();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> b.send(batchOf(A, "x"))).isInstanceOf(ClosedChannelException.class);

        a.send(batchOf(B, "to a closed peer"));
        assertThat(a.dropped()).isEqualTo(1);
        a.close();
    }

    @Test
    void rejectsEqualOrUnresolvedAddresses() {
        assertThatThrownBy(() -> MemoryPacketConn.pair(A, A)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryPacketConn.pair(A, InetSocketAddress.createUnresolved("x", 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
