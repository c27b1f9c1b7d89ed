package org.cunicu4j.net.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.cunicu4j.linux.socket.MessageBatch;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

class BatchBindingTest {

    private static long addressOf(PacketBatch batch, int slot) {
        return MemorySegment.ofBuffer(batch.buffer(slot).duplicate().clear()).address();
    }

    /** Two batches in turn (a data path and a handshake path on one thread) keep a twin each; a third replaces the older. */
    @Test
    void twoBatchesInTurnAreNotRebound() {
        BatchBinding binding = new BatchBinding();
        PacketBatch a = new PacketBatch(4, 128);
        PacketBatch b = new PacketBatch(4, 128);
        PacketBatch c = new PacketBatch(4, 128);
        MessageBatch ma = binding.bind(a);
        MessageBatch mb = binding.bind(b);
        assertThat(mb).as("b has a twin of its own").isNotSameAs(ma);
        assertThat(binding.bind(a)).isSameAs(ma);
        assertThat(binding.base(3)).isEqualTo(addressOf(a, 3));
        assertThat(binding.bind(b)).isSameAs(mb);
        assertThat(binding.base(3)).isEqualTo(addressOf(b, 3));
        assertThat(binding.slots()).isEqualTo(4);
        // c takes the place of a (used longer ago); b stays
        assertThat(binding.bind(c)).isSameAs(ma);
        assertThat(binding.base(0)).isEqualTo(addressOf(c, 0));
        assertThat(binding.bind(b)).isSameAs(mb);
        assertThat(binding.base(0)).isEqualTo(addressOf(b, 0));
    }

    @Test
    void aLargerBatchGetsMoreSlotsUpToTheKernelsLimit() {
        BatchBinding binding = new BatchBinding();
        binding.bind(new PacketBatch(2, 64));
        assertThat(binding.slots()).isEqualTo(2);
        binding.bind(new PacketBatch(BatchBinding.MAX_VLEN + 1, 16));
        assertThat(binding.slots()).isEqualTo(BatchBinding.MAX_VLEN);
    }
}
