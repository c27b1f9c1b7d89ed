package org.cunicu4j.wireguard.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Bind} promises a device, run against each implementation (the way
 * netty runs one datagram test suite over every transport). A subclass makes two Binds
 * that can reach each other and says how to address one. Public, with public tests, so
 * that Binds in other packages (the in-memory one) run it too.
 */
public abstract class BindContract {

    /** Two fresh, closed Binds that can reach each other once opened. */
    protected abstract Bind[] pair() throws IOException;

    /** The endpoint at which {@code bind}, opened as {@code opened}, is reached, as a peer would configure it. */
    protected abstract Endpoint endpointOf(Bind bind, Bind.Opened opened);

    private static PacketBatch transport(int count, int firstTag) {
        PacketBatch out = new PacketBatch(count, 256);
        for (int i = 0; i < count; i++) {
            UdpBindTest.putTransport(out.buffer(i), 40 + i, firstTag + i);
        }
        out.setCount(count);
        return out;
    }

    /** Receives {@code want} datagrams; closes the Bind after 10 s so that a loss fails instead of hanging. */
    private static List<Integer> receive(Bind bind, Bind.ReceiveFunc r, PacketBatch in, int want) throws IOException {
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(bind::close, CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
        try {
            List<Integer> tags = new ArrayList<>();
            while (tags.size() < want) {
                int n = r.receive(in);
                assertThat(n).isBetween(1, in.capacity());
                for (int i = 0; i < n; i++) {
                    tags.add(in.buffer(i).get(16) & 0xff);
                }
            }
            return tags;
        } finally {
            watchdog.cancel(false);
        }
    }

    @Test
    public void sendAndReceiveCarryBytesLengthsAndTheSource() throws IOException {
        Bind[] p = pair();
        try (Bind a = p[0]; Bind b = p[1]) {
            Bind.Opened oa = a.open(0);
            Bind.Opened ob = b.open(0);
            assertThat(oa.receivers()).isNotEmpty();
            assertThat(a.batchSize()).isPositive();
            a.send(transport(5, 10), endpointOf(b, ob));
            PacketBatch in = new PacketBatch(8, 256);
            assertThat(receive(b, ob.receivers().get(0), in, 5)).containsExactly(10, 11, 12, 13, 14);
            assertThat(in.buffer(in.count() - 1).position()).isZero();
            Endpoint source = b.endpointOf(in, 0);
            assertThat(source.matches(in, 0)).isTrue();
            assertThat(source).isEqualTo(endpointOf(a, oa));
            // and the answer goes back to where it came from
            b.send(transport(1, 99), source);
            assertThat(receive(a, oa.receivers().get(0), new PacketBatch(4, 256), 1)).containsExactly(99);
        }
    }

    @Test
    public void endpointsRoundTripThroughTheirText() throws IOException {
        Bind[] p = pair();
        try (Bind a = p[0]; Bind b = p[1]) {
            Endpoint e = endpointOf(b, b.open(0));
            assertThat(a.parseEndpoint(e.toString())).isEqualTo(e);
            assertThatThrownBy(() -> a.parseEndpoint("not an endpoint")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'not an endpoint'");
        }
    }

    @Test
    public void aReopenRetiresTheOldReceiverAndACloseStopsSending() throws IOException {
        Bind[] p = pair();
        try (Bind a = p[0]; Bind b = p[1]) {
            Bind.ReceiveFunc old = a.open(0).receivers().get(0);
            Bind.Opened now = a.open(0);
            assertThatThrownBy(() -> old.receive(new PacketBatch(1, 64))).isInstanceOf(ClosedChannelException.class);
            b.open(0);
            b.send(transport(1, 7), endpointOf(a, now));
            assertThat(receive(a, now.receivers().get(0), new PacketBatch(4, 256), 1)).containsExactly(7);
            a.close();
            a.close();
            assertThatThrownBy(() -> now.receivers().get(0).receive(new PacketBatch(1, 64))).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> a.send(transport(1, 1), endpointOf(b, b.open(0)))).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    public void setMarkIsAcceptedBeforeAndAfterOpen() throws IOException {
        Bind[] p = pair();
        try (Bind a = p[0]; Bind b = p[1]) {
            a.setMark(0); // 0 (clearing) needs no privilege anywhere
            a.open(0);
            a.setMark(0);
            assertThat(b).isNotNull();
        }
    }
}
