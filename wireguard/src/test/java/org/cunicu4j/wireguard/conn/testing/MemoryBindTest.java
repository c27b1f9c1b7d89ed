package org.cunicu4j.wireguard.conn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork.Verdict;
import org.junit.jupiter.api.Test;

class MemoryBindTest {

    private static PacketBatch datagrams(int... tags) {
        PacketBatch b = new PacketBatch(Math.max(1, tags.length), 64);
        for (int i = 0; i < tags.length; i++) {
            b.buffer(i).clear().putInt(tags[i]).putInt(0).flip();
        }
        b.setCount(tags.length);
        return b;
    }

    /** Receives exactly {@code want} datagrams (there must be that many queued) and returns their tags. */
    private static List<Integer> tags(Bind.ReceiveFunc r, int want) throws IOException {
        PacketBatch in = new PacketBatch(16, 64);
        List<Integer> out = new ArrayList<>();
        while (out.size() < want) {
            int n = r.receive(in);
            for (int i = 0; i < n; i++) {
                out.add(in.buffer(i).getInt(0));
            }
        }
        return out;
    }

    @Test
    void aPairExchangesDatagramsWithTheSendersAddress() throws IOException {
        MemoryBind[] p = MemoryNetwork.pair();
        MemoryBind a = p[0];
        MemoryBind b = p[1];
        assertThat(a.endpoint()).hasToString("mem:1");
        assertThat(b.endpoint()).hasToString("mem:2");
        Bind.Opened oa = a.open(0);
        Bind.Opened ob = b.open(0);
        assertThat(oa.port()).isEqualTo(MemoryBind.DEFAULT_PORT);
        assertThat(oa.receivers()).hasSize(1);
        a.send(datagrams(1, 2, 3), a.parseEndpoint("mem:2"));
        PacketBatch in = new PacketBatch(8, 64);
        assertThat(ob.receivers().get(0).receive(in)).isEqualTo(3);
        assertThat(in.buffer(2).getInt(0)).isEqualTo(3);
        assertThat(in.buffer(2).remaining()).isEqualTo(8);
        assertThat(b.endpointOf(in, 0)).isEqualTo(a.endpoint());
        assertThat(a.endpoint().matches(in, 1)).isTrue();
        assertThat(b.endpoint().matches(in, 1)).isFalse();
        b.send(datagrams(9), b.endpointOf(in, 0));
        assertThat(tags(oa.receivers().get(0), 1)).containsExactly(9);
        assertThat(a.sent()).isEqualTo(3);
        assertThat(b.received()).isEqualTo(3);
        a.close();
        b.close();
    }

    @Test
    void endpointsParseAndRejectWithTheText() {
        MemoryBind a = MemoryNetwork.pair()[0];
        assertThat(a.parseEndpoint(" mem:42 ")).hasToString("mem:42");
        assertThatThrownBy(() -> a.parseEndpoint("mem:x")).hasMessage("'mem:x' is not a memory endpoint: expected mem:<id>, id 1..16777215");
        assertThatThrownBy(() -> a.parseEndpoint("mem:0")).hasMessage("'mem:0' is not a memory endpoint: the id is 1..16777215");
        assertThatThrownBy(() -> a.parseEndpoint("1.2.3.4:5")).hasMessageStartingWith("'1.2.3.4:5' is not a memory endpoint");
    }

    @Test
    void closeWakesABlockedReceiveAndReopenRetiresTheOldFunction() throws Exception {
        MemoryBind a = MemoryNetwork.pair()[0];
        Bind.ReceiveFunc r = a.open(0).receivers().get(0);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                r.receive(new PacketBatch(1, 64));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        Waiter.until("the receiver waits", Duration.ofSeconds(5), () -> t.getState() == Thread.State.WAITING);
        a.close();
        assertThat(outcome.get()).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> a.send(datagrams(1), a.endpoint())).isInstanceOf(ClosedChannelException.class);
        Bind.ReceiveFunc old = a.open(1234).receivers().get(0);
        a.open(0);
        assertThatThrownBy(() -> old.receive(new PacketBatch(1, 64))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void theHookDropsDuplicatesAndReorders() throws IOException {
        MemoryBind[] p = MemoryNetwork.pair();
        MemoryNetwork net = p[0].network();
        Bind.ReceiveFunc rb = p[1].open(0).receivers().get(0);
        p[0].open(0);
        net.setImpairment((from, to, d) -> switch (d.getInt(d.position())) {
            case 1 -> Verdict.HOLD;
            case 2 -> Verdict.DROP;
            case 3 -> Verdict.DUPLICATE;
            default -> Verdict.DELIVER;
        });
        p[0].send(datagrams(1, 2, 3, 4), p[1].endpoint());
        assertThat(net.heldCount()).isEqualTo(1);
        assertThat(net.releaseHeld()).isEqualTo(1);
        assertThat(tags(rb, 4)).containsExactly(3, 3, 4, 1);
        assertThat(net.dropped()).isEqualTo(1);
        assertThat(net.delivered()).isEqualTo(4);
        net.setImpairment(null);
        p[0].send(datagrams(2), p[1].endpoint());
        assertThat(tags(rb, 1)).containsExactly(2);
    }

    @Test
    void roamingChangesTheApparentSourceAndRetiresTheOldAddress() throws IOException {
        MemoryBind[] p = MemoryNetwork.pair();
        Bind.ReceiveFunc ra = p[0].open(0).receivers().get(0);
        Bind.ReceiveFunc rb = p[1].open(0).receivers().get(0);
        var before = p[0].endpoint();
        var after = p[0].roam();
        assertThat(after).isNotEqualTo(before).hasToString("mem:3");
        p[0].send(datagrams(5), p[1].endpoint());
        PacketBatch in = new PacketBatch(4, 64);
        rb.receive(in);
        assertThat(p[1].endpointOf(in, 0)).isEqualTo(after);
        long droppedBefore = p[0].network().dropped();
        p[1].send(datagrams(6), before); // the old address leads nowhere
        assertThat(p[0].network().dropped()).isEqualTo(droppedBefore + 1);
        p[1].send(datagrams(7), after);
        assertThat(tags(ra, 1)).containsExactly(7);
    }

    @Test
    void injectDeliversArbitraryBytesAsFromAnyEndpoint() throws IOException {
        MemoryBind[] p = MemoryNetwork.pair();
        Bind.ReceiveFunc rb = p[1].open(0).receivers().get(0);
        p[1].inject(p[0].endpoint(), new byte[] {0, 0, 0, 77});
        PacketBatch in = new PacketBatch(4, 64);
        assertThat(rb.receive(in)).isEqualTo(1);
        assertThat(in.buffer(0).getInt(0)).isEqualTo(77);
        assertThat(p[0].endpoint().matches(in, 0)).isTrue();
    }

    @Test
    void tooLongDatagramsAreDropped() throws IOException {
        MemoryBind[] p = MemoryNetwork.pair();
        Bind.ReceiveFunc rb = p[1].open(0).receivers().get(0);
        p[1].inject(p[0].endpoint(), new byte[100]);
        p[1].inject(p[0].endpoint(), new byte[] {0, 0, 0, 8});
        PacketBatch in = new PacketBatch(4, 64);
        assertThat(rb.receive(in)).isEqualTo(1);
        assertThat(in.buffer(0).getInt(0)).isEqualTo(8);
    }
}
