package org.cunicu4j.ice.mux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

/** Address keys made from batch slots agree with those made from addresses, and tell addresses apart. */
class AddressKeyTest {

    @Test
    void keysFromSlotsAndFromAddressesAgree() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        PacketBatch batch = new PacketBatch(1, 16);
        Map<AddressKey, InetSocketAddress> seen = new HashMap<>();
        AddressKey probe = new AddressKey();
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[rnd.nextBoolean() ? 4 : 16];
            if (rnd.nextInt(4) == 0) {
                raw[rnd.nextInt(raw.length)] = (byte) rnd.nextInt(4); // mostly zeros: near-collisions
            } else {
                rnd.nextBytes(raw);
            }
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress(raw), rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(65536));
            batch.setAddress(0, a);
            AddressKey fromSlot = probe.set(batch, 0);
            AddressKey fromAddress = AddressKey.of(a);
            assertThat(fromSlot).as("seed %d, %s", seed, a).isEqualTo(fromAddress);
            assertThat(fromSlot.hashCode()).as("seed %d, %s", seed, a).isEqualTo(fromAddress.hashCode());
            InetSocketAddress before = seen.put(fromAddress, a);
            if (before != null) {
                assertThat(before).as("equal keys for different addresses, seed %d", seed).isEqualTo(a);
            }
        }
    }

    @Test
    void familiesAndPortsAreToldApart() {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.ofLiteral("192.0.2.1"), 7);
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.ofLiteral("::ffff:c000:201"), 7); // Java folds this to IPv4
        InetSocketAddress compat = new InetSocketAddress(InetAddress.ofLiteral("::c000:201"), 7);
        assertThat(AddressKey.of(v4)).isEqualTo(AddressKey.of(mapped));
        assertThat(AddressKey.of(v4)).isNotEqualTo(AddressKey.of(compat));
        assertThat(AddressKey.of(v4)).isNotEqualTo(AddressKey.of(new InetSocketAddress(v4.getAddress(), 8)));
        assertThat(AddressKey.of(v4).toString()).contains("192.0.2.1").contains("7");
        assertThat(new AddressKey().isEmpty()).isTrue();
    }
}
