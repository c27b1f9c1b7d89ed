package org.cunicu4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketQueueTest {
    private static final byte[] ADDR = {10, 0, 0, 1};

    @Test
    void saysWhyADatagramWasDropped() throws Exception {
        PacketQueue q = new PacketQueue(2, 8);
        ByteBuffer src = ByteBuffer.allocate(16);
        assertThat(q.offer(src, 0, 4, ADDR, 4, 1)).isEqualTo(PacketQueue.Offer.ACCEPTED);
        assertThat(q.offer(src, 0, 9, ADDR, 4, 1)).isEqualTo(PacketQueue.Offer.TOO_LONG);
        assertThat(q.offer(src, 0, 4, ADDR, 4, 2)).isEqualTo(PacketQueue.Offer.ACCEPTED);
        assertThat(q.offer(src, 0, 4, ADDR, 4, 3)).isEqualTo(PacketQueue.Offer.FULL);
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.tooBig()).isEqualTo(1);
        PacketBatch batch = new PacketBatch(4, 8);
        assertThat(q.take(batch)).isEqualTo(2);
        assertThat(batch.port(0)).isEqualTo(1);
        assertThat(batch.port(1)).isEqualTo(2);
        q.close();
        assertThat(q.offer(src, 0, 4, ADDR, 4, 4)).isEqualTo(PacketQueue.Offer.CLOSED);
        assertThatThrownBy(() -> q.take(batch)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void keepsOrderAndContentAgainstAModel() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            PacketQueue q = new PacketQueue(1 + r.nextInt(8), 32);
            ArrayDeque<Integer> model = new ArrayDeque<>();
            int capacity = -1;
            ByteBuffer src = ByteBuffer.allocate(32);
            PacketBatch batch = new PacketBatch(1 + r.nextInt(4), 32);
            for (int step = 0; step < 500; step++) {
                if (r.nextBoolean()) {
                    int v = r.nextInt(1000);
                    src.putInt(0, v);
                    PacketQueue.Offer o = q.offer(src, 0, 4, ADDR, 4, v);
                    if (o == PacketQueue.Offer.ACCEPTED) {
                        model.add(v);
                    } else {
                        assertThat(o).as("seed %d", seed).isEqualTo(PacketQueue.Offer.FULL);
                        capacity = model.size();
                    }
                } else if (!model.isEmpty()) {
                    int n = q.take(batch);
                    for (int i = 0; i < n; i++) {
                        int expected = model.remove();
                        assertThat(batch.buffer(i).getInt(0)).as("seed %d", seed).isEqualTo(expected);
                        assertThat(batch.port(i)).as("seed %d", seed).isEqualTo(expected);
                    }
                }
            }
            if (capacity >= 0) {
                assertThat(capacity).as("seed %d: the ring holds exactly its slots when full", seed).isBetween(1, 8);
            }
        }
    }
}
