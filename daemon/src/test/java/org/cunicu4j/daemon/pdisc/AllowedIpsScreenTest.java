package org.cunicu4j.daemon.pdisc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cunicu4j.net.IpPrefix;
import org.junit.jupiter.api.Test;

class AllowedIpsScreenTest {

    @Test
    void containsAgreesWithMaskingOnRandomPrefixes() throws Exception {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[r.nextBoolean() ? 4 : 16];
            r.nextBytes(raw);
            int bits = r.nextInt(raw.length * 8 + 1);
            IpPrefix p = new IpPrefix(InetAddress.getByAddress(raw), bits);
            byte[] other = raw.clone();
            if (r.nextBoolean()) { // flip one bit somewhere
                int bit = r.nextInt(other.length * 8);
                other[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            }
            InetAddress a = InetAddress.getByAddress(other);
            boolean expected = new IpPrefix(a, bits).masked().equals(p.masked());
            assertThat(AllowedIpsScreen.contains(p, a)).as("seed %d: %s contains %s", seed, p, a).isEqualTo(expected);
        }
    }

    @Test
    void refusalsNameTheReason() throws Exception {
        List<InetAddress> ours = List.of(InetAddress.getByName("192.0.2.1"));
        List<InetAddress> others = List.of(InetAddress.getByName("fc2f:9a4d::1"));
        List<String> why = new ArrayList<>();
        List<IpPrefix> kept = AllowedIpsScreen.keep(List.of(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("192.0.2.0/30"),
                IpPrefix.parse("fc2f::/16"), IpPrefix.parse("192.0.2.4/30"), IpPrefix.parse("10.0.0.1/32")), false, ours,
                others, why);
        assertThat(kept).containsExactly(IpPrefix.parse("192.0.2.4/30"), IpPrefix.parse("10.0.0.1/32"));
        assertThat(why).containsExactly("0.0.0.0/0: a default route", "192.0.2.0/30: it covers our address 192.0.2.1",
                "fc2f:0:0:0:0:0:0:0/16: it covers another member's address fc2f:9a4d:0:0:0:0:0:1");
        // IPv4 addresses never lie in IPv6 prefixes
        assertThat(AllowedIpsScreen.contains(IpPrefix.parse("::/1"), InetAddress.getByName("10.0.0.1"))).isFalse();
    }
}
