package org.cunicu4j.daemon.rtsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Random;
import org.cunicu4j.net.IpPrefix;
import org.junit.jupiter.api.Test;

class PrefixesTest {
    @Test
    void coversByTheLeadingBits() {
        assertThat(Prefixes.covers(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("10.1.0.0/16"))).isTrue();
        assertThat(Prefixes.covers(IpPrefix.parse("10.0.0.1/8"), IpPrefix.parse("10.255.255.255/32"))).isTrue();
        assertThat(Prefixes.covers(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.0.0.0/8"))).isFalse();
        assertThat(Prefixes.covers(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("11.0.0.0/16"))).isFalse();
        assertThat(Prefixes.covers(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("fd00::/8"))).isFalse(); // families differ
        assertThat(Prefixes.covers(IpPrefix.parse("::/0"), IpPrefix.parse("fd00::/8"))).isTrue();
        assertThat(Prefixes.covers(IpPrefix.parse("fd00:1::/32"), IpPrefix.parse("fd00:1:8000::/33"))).isTrue();
    }

    @Test
    void seededRandomPrefixesAgreeWithBigIntegerArithmetic() throws Exception {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            boolean v4 = r.nextBoolean();
            int len = v4 ? 4 : 16;
            byte[] a = new byte[len];
            byte[] b = new byte[len];
            r.nextBytes(a);
            if (r.nextBoolean()) {
                System.arraycopy(a, 0, b, 0, len); // share the leading bits, then flip a tail
                b[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
            } else {
                r.nextBytes(b);
            }
            int max = len * 8;
            int la = r.nextInt(max + 1);
            int lb = r.nextInt(max + 1);
            BigInteger x = new BigInteger(1, a).shiftRight(max - la);
            BigInteger y = new BigInteger(1, b).shiftRight(max - la);
            boolean want = la <= lb && x.equals(y);
            IpPrefix pa = new IpPrefix(InetAddress.getByAddress(a), la);
            IpPrefix pb = new IpPrefix(InetAddress.getByAddress(b), lb);
            assertThat(Prefixes.covers(pa, pb)).as("seed %d: %s covers %s", seed, pa, pb).isEqualTo(want);
        }
    }
}
