package org.cunicu4j.daemon.autocfg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

/**
 * The spec's address derivation, checked against an independent SipHash-2-4-128 written
 * here from the SipHash paper (Aumasson, Bernstein 2012, section 2, and the 128-bit
 * variant of the reference code: v1 ^= 0xee at start, v2 ^= 0xee then v1 ^= 0xdd at
 * finalization) and a bit-by-bit reading of "shift right by the prefix length, OR with
 * the prefix" — not by calling the production code twice.
 */
class DerivedAddressesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SPEC_KEY = HEX.parseHex("67672c05d13e1194bb3891ff4f80b397");
    /** RFC 7748 section 6.1: Alice's public key. */
    private static final Key ALICE = Key.of(
            HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), Key.Type.PUBLIC);

    // ---- the independent SipHash-2-4-128 (test only)

    private static long rotl(long x, int b) {
        return (x << b) | (x >>> (64 - b));
    }

    private static long le64(byte[] m, int off) {
        long r = 0;
        for (int i = 7; i >= 0; i--) {
            r = (r << 8) | (m[off + i] & 0xff);
        }
        return r;
    }

    /** SipHash-2-4 with 128-bit output: 16 bytes, the two halves each little-endian. */
    static byte[] sipHash128(byte[] key, byte[] m) {
        long k0 = le64(key, 0);
        long k1 = le64(key, 8);
        long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L,
            k1 ^ 0x7465646279746573L};
        v[1] ^= 0xee;
        int full = m.length / 8 * 8;
        for (int i = 0; i < full; i += 8) {
            compress(v, le64(m, i), 2);
        }
        // last block: the remaining bytes, zero padded, with the length mod 256 in the top byte
        byte[] last = new byte[8];
        System.arraycopy(m, full, last, 0, m.length - full);
        last[7] = (byte) m.length;
        compress(v, le64(last, 0), 2);
        v[2] ^= 0xee;
        rounds(v, 4);
        long r0 = v[0] ^ v[1] ^ v[2] ^ v[3];
        v[1] ^= 0xdd;
        rounds(v, 4);
        long r1 = v[0] ^ v[1] ^ v[2] ^ v[3];
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (r0 >>> (8 * i));
            out[8 + i] = (byte) (r1 >>> (8 * i));
        }
        return out;
    }

    private static void compress(long[] v, long mi, int c) {
        v[3] ^= mi;
        rounds(v, c);
        v[0] ^= mi;
    }

    private static void rounds(long[] v, int n) {
        for (int r = 0; r < n; r++) {
            v[0] += v[1];
            v[1] = rotl(v[1], 13);
            v[1] ^= v[0];
            v[0] = rotl(v[0], 32);
            v[2] += v[3];
            v[3] = rotl(v[3], 16);
            v[3] ^= v[2];
            v[0] += v[3];
            v[3] = rotl(v[3], 21);
            v[3] ^= v[0];
            v[2] += v[1];
            v[1] = rotl(v[1], 17);
            v[1] ^= v[2];
            v[2] = rotl(v[2], 32);
        }
    }

    /** The spec read bit by bit: bit i of the address is the prefix's below its length, else hash bit i - length. */
    static String expectedAddress(byte[] publicKey, String prefix) throws Exception {
        IpPrefix parsed = IpPrefix.parse(prefix); // only the parser (an IPv4-mapped address stays IPv6)
        byte[] net = parsed.address().getAddress();
        int len = parsed.bits();
        byte[] h = sipHash128(SPEC_KEY, publicKey);
        byte[] out = new byte[net.length];
        for (int i = 0; i < net.length * 8; i++) {
            int bit = i < len ? bit(net, i) : bit(h, i - len);
            out[i / 8] |= (byte) (bit << (7 - i % 8));
        }
        InetAddress a = out.length == 4 ? InetAddress.getByAddress(out) : Inet6Address.getByAddress(null, out, -1);
        return a.getHostAddress() + "/" + len;
    }

    private static int bit(byte[] b, int i) {
        return (b[i / 8] >> (7 - i % 8)) & 1;
    }

    // ---- the reference hash itself

    @Test
    void testSipHashMatchesThePapersReferenceVectors() {
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) i;
        }
        String[] expected = new String[64];
        expected[0] = "a3817f04ba25a8e66df67214c7550293";
        expected[1] = "da87c1d86b99af44347659119b22fc45";
        expected[2] = "8177228da4a45dc7fca38bdef60affe4";
        expected[7] = "a1f1ebbed8dbc153c0b84aa61ff08239";
        expected[8] = "3b62a9ba6258f5610f83e264f31497b4";
        expected[15] = "5493e99933b0a8117e08ec0f97cfc3d9";
        expected[16] = "6ee2a4ca67b054bbfd3315bf85230577";
        expected[32] = "7c3956ca5eeafc3e363e9d556546eb68";
        expected[63] = "5150d1772f50834a503e069a973fbd7c";
        int checked = 0;
        for (int n = 0; n < 64; n++) {
            if (expected[n] == null) {
                continue;
            }
            byte[] m = new byte[n];
            for (int i = 0; i < n; i++) {
                m[i] = (byte) i;
            }
            assertThat(HEX.formatHex(sipHash128(key, m))).as("message 00..%02x", n - 1).isEqualTo(expected[n]);
            checked++;
        }
        assertThat(checked).isEqualTo(9);
    }

    // ---- fixed vectors

    @Test
    void productionHashIsSipHash128UnderTheSpecKey() {
        assertThat(HEX.formatHex(DerivedAddresses.hash(ALICE))).isEqualTo(HEX.formatHex(sipHash128(SPEC_KEY, ALICE.bytes())));
    }

    @Test
    void aliceGetsTheSpecsAddressesInTheDefaultPrefixes() throws Exception {
        List<IpPrefix> got = DerivedAddresses.addresses(ALICE, DerivedAddresses.DEFAULT_PREFIXES);
        assertThat(got).extracting(IpPrefix::toString).containsExactly(
                expectedAddress(ALICE.bytes(), "fc2f:9a4d::/32"),
                expectedAddress(ALICE.bytes(), "10.237.0.0/16"));
        // the same values written out, so a change to either side shows
        assertThat(got).extracting(IpPrefix::toString).containsExactly(ALICE_V6, ALICE_V4);
        assertThat(DerivedAddresses.hostPrefixes(ALICE, DerivedAddresses.DEFAULT_PREFIXES))
                .extracting(IpPrefix::toString)
                .containsExactly(ALICE_V6.replace("/32", "/128"), ALICE_V4.replace("/16", "/32"));
    }

    /** Computed with {@link #expectedAddress} from the hash above. */
    private static final String ALICE_V6 = "fc2f:9a4d:c07:d49c:5e0e:d958:ab59:e67a/32";
    private static final String ALICE_V4 = "10.237.12.7/16";

    @Test
    void theIpv4AddressUsesTheFirstFourHashBytesAndTheIpv6OneTheFirstSixteen() throws Exception {
        // the same leading hash bytes appear right after the prefix in both families (as in cunīcu's docs:
        // fc2f:9a4d:777f:... and 10.237.119.127)
        byte[] h = sipHash128(SPEC_KEY, ALICE.bytes());
        String v4 = DerivedAddresses.address(ALICE, IpPrefix.parse("10.237.0.0/16")).address().getHostAddress();
        assertThat(v4).isEqualTo("10.237." + (h[0] & 0xff) + "." + (h[1] & 0xff));
        byte[] v6 = DerivedAddresses.address(ALICE, IpPrefix.parse("fc2f:9a4d::/32")).address().getAddress();
        for (int i = 4; i < 16; i++) {
            assertThat(v6[i]).as("byte %d", i).isEqualTo(h[i - 4]);
        }
    }

    @Test
    void oddPrefixLengthsAndHostBitsInThePrefix() throws Exception {
        Random random = new Random(0xADD2E55L);
        String[] prefixes = {"10.237.0.0/16", "10.16.0.0/12", "10.240.0.0/20", "192.168.7.0/31", "10.1.2.3/32",
            "0.0.0.0/0", "fc2f:9a4d::/32", "fd00:1:2::/48", "fd00:1:2:3::/100", "2001:db8::/127", "fd00::1/128",
            "::/0", "::ffff:0:0/96"};
        for (int round = 0; round < 200; round++) {
            byte[] k = new byte[32];
            random.nextBytes(k);
            Key key = Key.of(k, Key.Type.PUBLIC);
            for (String p : prefixes) {
                IpPrefix prefix = IpPrefix.parse(p);
                assertThat(DerivedAddresses.address(key, prefix).toString())
                        .as("seed 0xADD2E55 round %d prefix %s", round, p)
                        .isEqualTo(expectedAddress(k, prefix.masked().toString()));
            }
        }
        // host bits given in the prefix are cleared first (cunīcu masks the prefix too)
        assertThat(DerivedAddresses.address(ALICE, IpPrefix.parse("10.237.1.2/16")))
                .isEqualTo(DerivedAddresses.address(ALICE, IpPrefix.parse("10.237.0.0/16")));
    }

    // ---- properties

    @Test
    void addressesLieInTheirPrefixAndKeepTheirFamily() {
        Random random = new Random(0x9E7F1L);
        for (int round = 0; round < 2000; round++) {
            byte[] k = new byte[32];
            random.nextBytes(k);
            Key key = Key.of(k, Key.Type.PUBLIC);
            boolean v4 = random.nextBoolean();
            int bits = random.nextInt(v4 ? 33 : 129);
            byte[] net = new byte[v4 ? 4 : 16];
            random.nextBytes(net);
            IpPrefix prefix = new IpPrefix(v4 ? inet4(net) : inet6(net), bits).masked();
            IpPrefix a = DerivedAddresses.address(key, prefix);
            assertThat(a.bits()).isEqualTo(bits);
            assertThat(a.isIpv4()).as("seed 0x9E7F1 round %d: family of %s", round, prefix).isEqualTo(v4);
            assertThat(new IpPrefix(a.address(), bits).masked()).as("seed 0x9E7F1 round %d: %s in %s", round, a, prefix)
                    .isEqualTo(prefix);
        }
    }

    @Test
    void distinctKeysGetDistinctAddresses() {
        Random random = new Random(0xD15_71C7L);
        Set<String> v6 = new HashSet<>();
        Set<String> v4 = new HashSet<>();
        int n = 2000;
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[32];
            random.nextBytes(k);
            List<IpPrefix> a = DerivedAddresses.addresses(Key.of(k, Key.Type.PUBLIC), DerivedAddresses.DEFAULT_PREFIXES);
            v6.add(a.get(0).toString());
            v4.add(a.get(1).toString());
        }
        assertThat(v6).as("96 hash bits: no collision among %d keys", n).hasSize(n);
        // 16 bits for 2000 keys: ~30 birthday collisions expected, not hundreds
        assertThat(v4.size()).as("seed 0xD1571C7: distinct IPv4 addresses of %d keys", n).isGreaterThan(n - 100);
        // a one-bit change in the key changes the address
        byte[] k = ALICE.bytes();
        k[31] ^= 1;
        assertThat(DerivedAddresses.address(Key.of(k, Key.Type.PUBLIC), DerivedAddresses.DEFAULT_PREFIXES.get(0)))
                .isNotEqualTo(DerivedAddresses.address(ALICE, DerivedAddresses.DEFAULT_PREFIXES.get(0)));
    }

    @Test
    void onlyPublicKeysDerive() {
        assertThatThrownBy(() -> DerivedAddresses.hash(Key.generatePrivate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("addresses derive from a public key, got a PRIVATE key");
    }

    private static InetAddress inet4(byte[] b) {
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress inet6(byte[] b) {
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
