package org.cunicu4j.wireguard.allowedips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cunicu4j.net.IpPrefix;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {

    private final AllowedIps<String> table = new AllowedIps<>();

    private static IpPrefix p(String s) {
        return IpPrefix.parse(s);
    }

    private static InetAddress a(String s) {
        return IpPrefix.parse(s).address();
    }

    @Test
    void emptyTableFindsNothing() {
        assertThat(table.lookup(a("10.0.0.1"))).isNull();
        assertThat(table.lookup(a("fd00::1"))).isNull();
        assertThat(table.size()).isZero();
        assertThat(table.prefixesOf("a")).isEmpty();
    }

    @Test
    void defaultRoutesCatchEverythingOfTheirFamily() {
        table.insert(p("0.0.0.0/0"), "v4");
        assertThat(table.lookup(a("1.2.3.4"))).isEqualTo("v4");
        assertThat(table.lookup(a("255.255.255.255"))).isEqualTo("v4");
        assertThat(table.lookup(a("::1"))).isNull();
        table.insert(p("::/0"), "v6");
        assertThat(table.lookup(a("2001:db8::1"))).isEqualTo("v6");
        assertThat(table.lookup(a("0.0.0.0"))).isEqualTo("v4");
        assertThat(table.prefixesOf("v4")).containsExactly(p("0.0.0.0/0"));
        assertThat(table.prefixesOf("v6")).containsExactly(p("::/0"));
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void longestPrefixWinsAmongOverlappingOnes() {
        table.insert(p("10.0.0.0/8"), "a");
        table.insert(p("10.1.0.0/16"), "b");
        table.insert(p("10.1.2.0/24"), "c");
        table.insert(p("10.1.2.3/32"), "d");
        assertThat(table.lookup(a("10.9.9.9"))).isEqualTo("a");
        assertThat(table.lookup(a("10.1.9.9"))).isEqualTo("b");
        assertThat(table.lookup(a("10.1.2.9"))).isEqualTo("c");
        assertThat(table.lookup(a("10.1.2.3"))).isEqualTo("d");
        assertThat(table.lookup(a("10.1.2.4"))).isEqualTo("c");
        assertThat(table.lookup(a("11.0.0.0"))).isNull();
        // inserted in the reverse order: the same answers
        AllowedIps<String> rev = new AllowedIps<>();
        rev.insert(p("10.1.2.3/32"), "d");
        rev.insert(p("10.1.2.0/24"), "c");
        rev.insert(p("10.1.0.0/16"), "b");
        rev.insert(p("10.0.0.0/8"), "a");
        for (String s : List.of("10.9.9.9", "10.1.9.9", "10.1.2.9", "10.1.2.3", "10.1.2.4", "11.0.0.0")) {
            assertThat(rev.lookup(a(s))).as(s).isEqualTo(table.lookup(a(s)));
        }
    }

    @Test
    void hostPrefixesAreExact() {
        table.insert(p("192.168.1.1/32"), "h4");
        table.insert(p("fd00::1/128"), "h6");
        assertThat(table.lookup(a("192.168.1.1"))).isEqualTo("h4");
        assertThat(table.lookup(a("192.168.1.0"))).isNull();
        assertThat(table.lookup(a("192.168.1.2"))).isNull();
        assertThat(table.lookup(a("fd00::1"))).isEqualTo("h6");
        assertThat(table.lookup(a("fd00::"))).isNull();
        assertThat(table.lookup(a("fd00::3"))).isNull();
        assertThat(table.lookup(a("fd00::1:0:0:0:1"))).isNull();
    }

    @Test
    void hostBitsAreIgnoredAndPrefixesComeBackMasked() {
        table.insert(p("10.1.2.3/24"), "a");
        table.insert(p("fd00:1:2:3::4/48"), "a");
        assertThat(table.lookup(a("10.1.2.200"))).isEqualTo("a");
        assertThat(table.prefixesOf("a")).containsExactly(p("10.1.2.0/24"), p("fd00:1:2::/48"));
        assertThat(table.remove(p("10.1.2.77/24"), "a")).isTrue();
        assertThat(table.lookup(a("10.1.2.200"))).isNull();
    }

    @Test
    void insertingAnOwnedPrefixReplacesItsOwner() {
        table.insert(p("10.0.0.0/24"), "a");
        table.insert(p("10.0.0.0/24"), "b");
        assertThat(table.lookup(a("10.0.0.1"))).isEqualTo("b");
        assertThat(table.prefixesOf("a")).isEmpty();
        assertThat(table.prefixesOf("b")).containsExactly(p("10.0.0.0/24"));
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void removeOnlyWhenOwnedByTheValue() {
        table.insert(p("10.0.0.0/24"), "a");
        assertThat(table.remove(p("10.0.0.0/24"), "b")).isFalse();
        assertThat(table.remove(p("10.0.0.0/25"), "a")).isFalse();
        assertThat(table.remove(p("10.0.0.0/23"), "a")).isFalse();
        assertThat(table.lookup(a("10.0.0.1"))).isEqualTo("a");
        assertThat(table.remove(p("10.0.0.0/24"), "a")).isTrue();
        assertThat(table.remove(p("10.0.0.0/24"), "a")).isFalse();
        assertThat(table.lookup(a("10.0.0.1"))).isNull();
        assertThat(table.size()).isZero();
    }

    @Test
    void removingCollapsesBranchPointsAndKeepsTheRest() {
        table.insert(p("10.0.0.0/24"), "a");
        table.insert(p("10.0.1.0/24"), "b"); // a branch point at 10.0.0.0/23 without owner
        table.insert(p("10.0.0.128/25"), "c");
        assertThat(table.remove(p("10.0.0.0/24"), "a")).isTrue();
        assertThat(table.lookup(a("10.0.0.1"))).isNull();
        assertThat(table.lookup(a("10.0.0.129"))).isEqualTo("c");
        assertThat(table.lookup(a("10.0.1.1"))).isEqualTo("b");
        assertThat(table.remove(p("10.0.1.0/24"), "b")).isTrue();
        assertThat(table.lookup(a("10.0.0.129"))).isEqualTo("c");
        assertThat(table.remove(p("10.0.0.128/25"), "c")).isTrue();
        assertThat(table.size()).isZero();
        // the branch point /23 has no owner: removing it is refused
        assertThat(table.remove(p("10.0.0.0/23"), null)).isFalse();
        // and a node left over would show up here as a wrong match
        table.insert(p("10.0.0.0/23"), "d");
        assertThat(table.lookup(a("10.0.1.1"))).isEqualTo("d");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void removeValueDropsEveryPrefixOfThatOwnerOnly() {
        table.insert(p("10.0.0.0/8"), "a");
        table.insert(p("10.1.0.0/16"), "b");
        table.insert(p("10.1.1.0/24"), "a");
        table.insert(p("fd00::/8"), "a");
        table.insert(p("fd00:1::/32"), "b");
        table.removeValue("a");
        assertThat(table.prefixesOf("a")).isEmpty();
        assertThat(table.prefixesOf("b")).containsExactly(p("10.1.0.0/16"), p("fd00:1::/32"));
        assertThat(table.lookup(a("10.1.1.1"))).isEqualTo("b");
        assertThat(table.lookup(a("10.2.0.0"))).isNull();
        assertThat(table.lookup(a("fd00:2::"))).isNull();
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void familiesAreIndependent() {
        table.insert(p("0.0.0.0/0"), "v4");
        table.insert(p("::/0"), "v6");
        // ::/96 and 0.0.0.0/0 have the same bits; they must not meet
        table.insert(p("::/96"), "compat");
        assertThat(table.lookup(a("1.2.3.4"))).isEqualTo("v4");
        assertThat(table.lookup(a("::1.2.3.4"))).isEqualTo("compat");
        table.removeValue("v4");
        assertThat(table.lookup(a("1.2.3.4"))).isNull();
        assertThat(table.lookup(a("::1"))).isEqualTo("compat");
        assertThat(table.lookup(a("1::"))).isEqualTo("v6");
    }

    @Test
    void prefixesOfIsOrderedByAddressThenLength() {
        table.insert(p("fd00::/64"), "a");
        table.insert(p("10.2.0.0/16"), "a");
        table.insert(p("10.1.0.0/16"), "a");
        table.insert(p("10.0.0.0/8"), "a");
        table.insert(p("10.1.1.0/24"), "a");
        assertThat(table.prefixesOf("a"))
                .containsExactly(p("10.0.0.0/8"), p("10.1.0.0/16"), p("10.1.1.0/24"), p("10.2.0.0/16"), p("fd00::/64"));
    }

    @Test
    void bufferLookupReadsInNetworkOrderWithoutMovingThePosition() {
        table.insert(p("10.1.2.0/24"), "v4");
        table.insert(p("fd00:1:2:3::/64"), "v6");
        ByteBuffer buf = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(12, new byte[] {10, 1, 2, 3});
        buf.put(24, a("fd00:1:2:3::99").getAddress());
        buf.position(5).limit(50);
        assertThat(table.lookup(buf, 12, 4)).isEqualTo("v4");
        assertThat(table.lookup(buf, 24, 16)).isEqualTo("v6");
        buf.order(ByteOrder.BIG_ENDIAN);
        assertThat(table.lookup(buf, 12, 4)).isEqualTo("v4");
        assertThat(table.lookup(buf, 24, 16)).isEqualTo("v6");
        assertThat(buf.position()).isEqualTo(5);
        assertThat(buf.limit()).isEqualTo(50);
        assertThatThrownBy(() -> table.lookup(buf, 0, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an address is 4 (IPv4) or 16 (IPv6) bytes long, not 6");
    }

    @Test
    void clearEmptiesBothFamilies() {
        table.insert(p("0.0.0.0/0"), "a");
        table.insert(p("::/0"), "a");
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.lookup(a("1.1.1.1"))).isNull();
        assertThat(table.lookup(a("::1"))).isNull();
    }

    @Test
    void nullOwnerIsRefused() {
        assertThatThrownBy(() -> table.insert(p("10.0.0.0/8"), null)).isInstanceOf(NullPointerException.class);
    }

    /** Random prefixes, removals and lookups against a linear scan over a map of prefixes. */
    @Test
    void agreesWithALinearScanModel() throws UnknownHostException {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            AllowedIps<Integer> trie = new AllowedIps<>();
            Map<IpPrefix, Integer> model = new LinkedHashMap<>();
            List<IpPrefix> inserted = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                int op = rnd.nextInt(10);
                if (op < 5 || inserted.isEmpty()) {
                    IpPrefix pr = randomPrefix(rnd, inserted).masked();
                    int owner = rnd.nextInt(6);
                    trie.insert(pr, owner);
                    model.put(pr, owner);
                    inserted.add(pr);
                } else if (op < 7) {
                    IpPrefix pr = inserted.get(rnd.nextInt(inserted.size()));
                    int owner = rnd.nextInt(6);
                    boolean expected = Integer.valueOf(owner).equals(model.get(pr));
                    assertThat(trie.remove(pr, owner)).as("seed %d step %d remove %s %d", seed, step, pr, owner).isEqualTo(expected);
                    if (expected) {
                        model.remove(pr);
                    }
                } else if (op == 7 && rnd.nextInt(8) == 0) {
                    int owner = rnd.nextInt(6);
                    trie.removeValue(owner);
                    model.values().removeIf(v -> v == owner);
                }
                for (int q = 0; q < 8; q++) {
                    InetAddress addr = randomAddress(rnd, inserted);
                    assertThat(trie.lookup(addr)).as("seed %d step %d lookup %s", seed, step, addr.getHostAddress())
                            .isEqualTo(linearScan(model, addr));
                }
                assertThat(trie.size()).as("seed %d step %d size", seed, step).isEqualTo(model.size());
            }
            for (int owner = 0; owner < 6; owner++) {
                int o = owner;
                List<IpPrefix> expected = model.entrySet().stream().filter(e -> e.getValue() == o).map(Map.Entry::getKey).toList();
                assertThat(trie.prefixesOf(owner)).as("seed %d prefixes of %d", seed, owner).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    /** Addresses clustered near each other so that prefixes overlap often. */
    private static IpPrefix randomPrefix(Random rnd, List<IpPrefix> near) throws UnknownHostException {
        InetAddress addr = randomAddress(rnd, near);
        int max = addr.getAddress().length * 8;
        int bits = switch (rnd.nextInt(4)) {
            case 0 -> max;
            case 1 -> rnd.nextInt(max + 1);
            default -> Math.max(0, max - rnd.nextInt(12));
        };
        return new IpPrefix(addr, bits);
    }

    private static InetAddress randomAddress(Random rnd, List<IpPrefix> near) throws UnknownHostException {
        byte[] b;
        if (!near.isEmpty() && rnd.nextBoolean()) {
            b = near.get(rnd.nextInt(near.size())).address().getAddress();
            int flips = rnd.nextInt(3);
            for (int i = 0; i < flips; i++) {
                int bit = b.length * 8 - 1 - rnd.nextInt(Math.min(b.length * 8, 20));
                b[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            }
        } else {
            b = new byte[rnd.nextBoolean() ? 4 : 16];
            b[0] = (byte) (rnd.nextInt(4) * 64); // few distinct top bits: more overlap
            for (int i = 1; i < b.length; i++) {
                b[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 0);
            }
        }
        return InetAddress.getByAddress(b);
    }

    private static Integer linearScan(Map<IpPrefix, Integer> model, InetAddress addr) {
        byte[] b = addr.getAddress();
        Integer best = null;
        int bestBits = -1;
        for (var e : model.entrySet()) {
            byte[] pb = e.getKey().address().getAddress();
            int bits = e.getKey().bits();
            if (pb.length == b.length && bits > bestBits && samePrefix(pb, b, bits)) {
                best = e.getValue();
                bestBits = bits;
            }
        }
        return best;
    }

    private static boolean samePrefix(byte[] x, byte[] y, int bits) {
        for (int i = 0; i < bits; i++) {
            if (((x[i / 8] ^ y[i / 8]) & (0x80 >>> (i % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Lookups on other threads while the table changes see only owners that were inserted. */
    @Test
    void lookupsDuringChangesSeeConsistentTables() throws Exception {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(p("10.0.0.0/8"), "base");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(4).put(0, new byte[] {10, 1, 2, 3});
            while (!stop.get()) {
                String v = t.lookup(buf, 0, 4);
                if (!"base".equals(v) && !"more".equals(v)) {
                    wrong.set(v);
                }
            }
        });
        for (int i = 0; i < 20_000; i++) {
            t.insert(p("10.1.0.0/16"), "more");
            t.insert(p("10." + (i % 256) + ".0.0/24"), "other");
            t.remove(p("10.1.0.0/16"), "more");
            t.remove(p("10." + (i % 256) + ".0.0/24"), "other");
        }
        stop.set(true);
        reader.join();
        assertThat(wrong.get()).isNull();
    }

    @Test
    void bufferLookupsAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Random rnd = new Random(7);
        for (int i = 0; i < 500; i++) {
            table.insert(new IpPrefix(a(rnd.nextInt(256) + "." + rnd.nextInt(256) + ".0.0"), 16), "p" + (i % 10));
            table.insert(p(String.format("fd%02x:%x::/48", rnd.nextInt(256), rnd.nextInt(65536))), "q" + (i % 10));
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        for (int i = 0; i < 64; i++) {
            buf.put(i, (byte) rnd.nextInt(256));
        }
        buf.put(0, (byte) 0xfd);
        table.insert(p("203.0.113.0/24"), "known");
        buf.put(2, (byte) 203).put(3, (byte) 0).put(4, (byte) 113); // offset 2 as IPv4: 203.0.113.x
        int perPeriod = 0; // the lookups repeat every 32 (i & 31 and i & 1)
        for (int i = 0; i < 32; i++) {
            perPeriod += table.lookup(buf, i & 31, (i & 1) == 0 ? 4 : 16) != null ? 1 : 0;
        }
        assertThat(perPeriod).as("hits in one period (203.0.113.x at offset 2 among them)").isPositive();
        assertThat(table.lookup(buf, 2, 4)).isEqualTo("known");
        int found = 0;
        for (int i = 0; i < 200_000; i++) { // warm up: compiled code allocates nothing
            found += table.lookup(buf, i & 31, (i & 1) == 0 ? 4 : 16) != null ? 1 : 0;
        }
        long best = Long.MAX_VALUE;
        int passes = 0;
        for (int m = 0; m < 5 && best > 0; m++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                found += table.lookup(buf, i & 31, (i & 1) == 0 ? 4 : 16) != null ? 1 : 0;
            }
            best = Math.min(best, mx.getCurrentThreadAllocatedBytes() - before);
            passes++;
        }
        assertThat(best).as("bytes allocated by 100,000 lookups").isLessThan(1024);
        assertThat(found).as("compiled lookups answer as the first ones did").isEqualTo(perPeriod * (200_000 / 32 + passes * 100_000 / 32));
    }
}
