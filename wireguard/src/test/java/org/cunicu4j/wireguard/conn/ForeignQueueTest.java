package org.cunicu4j.wireguard.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Random;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

class ForeignQueueTest {

    /** Random offers and takes against a deque: order, contents, sources, full and too-long answers. */
    @Test
    void behavesLikeABoundedFifo() throws ClosedChannelException {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            int capacity = 1 + rnd.nextInt(9);
            ForeignQueue q = new ForeignQueue(capacity);
            ArrayDeque<int[]> model = new ArrayDeque<>(); // {tag, length, port}
            PacketBatch in = new PacketBatch(1 + rnd.nextInt(5), 300);
            PacketBatch one = new PacketBatch(1, ForeignQueue.SLOT_SIZE + 10);
            int tag = 0;
            for (int step = 0; step < 500; step++) {
                if (rnd.nextInt(3) > 0) {
                    int len = rnd.nextInt(20) == 0 ? ForeignQueue.SLOT_SIZE + 1 : 4 + rnd.nextInt(296);
                    one.buffer(0).clear().putInt(0, ++tag).limit(len);
                    int port = 1 + rnd.nextInt(65535);
                    one.setAddress(0, new byte[] {10, 0, 0, (byte) tag}, 0, 4, port);
                    ForeignQueue.Offer expected = len > ForeignQueue.SLOT_SIZE ? ForeignQueue.Offer.TOO_LONG
                            : model.size() == capacity ? ForeignQueue.Offer.FULL : ForeignQueue.Offer.QUEUED;
                    assertThat(q.offer(one, 0)).as("seed %d step %d", seed, step).isEqualTo(expected);
                    if (expected == ForeignQueue.Offer.QUEUED) {
                        model.add(new int[] {tag, len, port});
                    }
                } else if (!model.isEmpty()) {
                    int n = q.take(in);
                    assertThat(n).as("seed %d step %d", seed, step).isEqualTo(Math.min(in.capacity(), model.size()));
                    for (int i = 0; i < n; i++) {
                        int[] m = model.poll();
                        assertThat(in.buffer(i).getInt(0)).as("seed %d step %d slot %d", seed, step, i).isEqualTo(m[0]);
                        assertThat(in.buffer(i).remaining()).isEqualTo(m[1]);
                        assertThat(in.port(i)).isEqualTo(m[2]);
                        assertThat(in.addressBytes(i)[3]).isEqualTo((byte) m[0]);
                    }
                }
            }
            q.close();
            assertThat(q.offer(one, 0)).isIn(ForeignQueue.Offer.CLOSED, ForeignQueue.Offer.TOO_LONG);
        }
    }

    @Test
    void aDatagramTooLongForTheTakersSlotIsSkippedAndCounted() throws ClosedChannelException {
        ForeignQueue q = new ForeignQueue(4);
        PacketBatch src = new PacketBatch(1, 1000);
        src.setAddress(0, new byte[] {1, 2, 3, 4}, 0, 4, 5);
        src.buffer(0).clear().limit(900);
        q.offer(src, 0);
        src.buffer(0).clear().putInt(0, 42).limit(50);
        q.offer(src, 0);
        PacketBatch small = new PacketBatch(4, 100);
        assertThat(q.take(small)).isEqualTo(1);
        assertThat(small.buffer(0).getInt(0)).isEqualTo(42);
        assertThat(q.tooLongForTaker()).isEqualTo(1);
    }
}
