package org.cunicu4j.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/** Known answers for BLAKE2s (RFC 7693, the BLAKE2 reference KAT), keyed BLAKE2s-128 and HMAC-BLAKE2s. */
class Blake2sTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 7693 Appendix B: BLAKE2s-256("abc"). */
    @Test
    void rfc7693Abc() {
        assertThat(HEX.formatHex(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    }

    /** BLAKE2s-256 of nothing (blake2s-kat.txt, the first unkeyed vector). */
    @Test
    void emptyInput() {
        assertThat(HEX.formatHex(Blake2s.hash()))
                .isEqualTo("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
    }

    /** Concatenated parts hash like one input. */
    @Test
    void partsAreConcatenated() {
        assertThat(Blake2s.hash("a".getBytes(StandardCharsets.US_ASCII), "bc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * RFC 7693 Appendix E self-test: 48 unkeyed and keyed hashes of output lengths 16, 20, 28
     * and 32 (key length = output length) hashed together must give the published grand hash.
     * The 16-byte keyed ones go through {@link Blake2s#mac}, WireGuard's MAC with a 16-byte
     * key as MAC2's cookie is.
     */
    @Test
    void rfc7693SelfTestCoversKeyedBlake2s128() {
        int[] mdLen = {16, 20, 28, 32};
        int[] inLen = {0, 3, 64, 65, 255, 1024};
        Blake2sDigest grand = new Blake2sDigest(256);
        for (int outlen : mdLen) {
            for (int inlen : inLen) {
                byte[] in = selftestSeq(inlen, inlen);
                byte[] md = digest(null, outlen, in);
                grand.update(md, 0, md.length);
                byte[] key = selftestSeq(outlen, outlen);
                md = outlen == 16 ? Blake2s.mac(key, in) : digest(key, outlen, in);
                grand.update(md, 0, md.length);
            }
        }
        byte[] res = new byte[32];
        grand.doFinal(res, 0);
        assertThat(HEX.formatHex(res)).isEqualTo("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
    }

    private static byte[] digest(byte[] key, int outlen, byte[] in) {
        Blake2sDigest d = key == null ? new Blake2sDigest(outlen * 8) : new Blake2sDigest(key, outlen, null, null);
        d.update(in, 0, in.length);
        byte[] out = new byte[outlen];
        d.doFinal(out, 0);
        return out;
    }

    /** RFC 7693 Appendix E's deterministic sequence (a Fibonacci generator). */
    private static byte[] selftestSeq(int len, int seed) {
        byte[] out = new byte[len];
        int a = 0xDEAD4BAD * seed;
        int b = 1;
        for (int i = 0; i < len; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }

    /** blake2s-kat.txt keyed vectors (key 00..1f): inputs "" and "00". */
    @Test
    void referenceKeyedVectors() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        assertThat(HEX.formatHex(digest(key, 32, new byte[0])))
                .isEqualTo("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
        assertThat(HEX.formatHex(digest(key, 32, new byte[] {0})))
                .isEqualTo("40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1");
    }

    /** A 16-byte MAC is a prefix of nothing: it is its own parameter block (digest length 16). */
    @Test
    void macIsNotATruncatedHash() {
        byte[] key = new byte[32];
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        assertThat(Blake2s.mac(key, data)).hasSize(16).isNotEqualTo(java.util.Arrays.copyOf(digest(key, 32, data), 16));
    }

    /**
     * HMAC-BLAKE2s known answers, computed outside this project with CPython's {@code hmac}
     * module over {@code hashlib.blake2s} (the BLAKE2 reference code):
     * {@code hmac.new(key, msg, hashlib.blake2s).hexdigest()}. Keys below, at and above the
     * 64-byte block (a longer key is hashed first).
     */
    @Test
    void hmacKnownAnswers() {
        String[][] cases = {
            {"6b6579", "54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f67",
                "f93215bb90d4af4c3061cd932fb169fb8bb8a91d0b4022baea1271e1323cd9a0"},
            {range(32), "", "e2641d24dfa8dd89e8cb77f1cdc77d8c006e5bebdfc4d6a3a3a6f8d5b7586fb0"},
            {range(64), range(100), "647576eb06d7546ce6db9b3c0c1509a64cc7fae9cb732ee3845e7b486ad26edc"},
            {range(70), "616263", "feafd2cc676fdf0d07bc056159c56200f5566acce1de17e36f783aa7a77da3ba"},
        };
        for (String[] c : cases) {
            assertThat(HEX.formatHex(Blake2s.hmac(HEX.parseHex(c[0]), HEX.parseHex(c[1]))))
                    .as("key %s, message %s", c[0], c[1]).isEqualTo(c[2]);
        }
    }

    private static String range(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return HEX.formatHex(b);
    }

    /**
     * HMAC-BLAKE2s against BouncyCastle's independent HMAC construction over its BLAKE2s
     * (no published HMAC-BLAKE2s vector is at hand offline), for key lengths below, at and
     * above the 64-byte block.
     */
    @Test
    void hmacMatchesBouncyCastleHmac() {
        java.util.Random rnd = new java.util.Random(7693);
        for (int keyLen : new int[] {0, 1, 32, 64, 65, 100}) {
            for (int msgLen : new int[] {0, 1, 63, 64, 65, 200}) {
                byte[] key = new byte[keyLen];
                byte[] msg = new byte[msgLen];
                rnd.nextBytes(key);
                rnd.nextBytes(msg);
                HMac h = new HMac(new Blake2sDigest(256));
                h.init(new KeyParameter(key));
                h.update(msg, 0, msg.length);
                byte[] want = new byte[32];
                h.doFinal(want, 0);
                assertThat(Blake2s.hmac(key, msg)).as("key %d, message %d", keyLen, msgLen).isEqualTo(want);
            }
        }
    }

    /** The KDF: T1 = HMAC(HMAC(key, input), 0x1), T2 = HMAC(T0, T1 || 0x2), T3 = HMAC(T0, T2 || 0x3). */
    @Test
    void kdfFollowsItsDefinition() {
        byte[] key = Blake2s.hash("key".getBytes(StandardCharsets.US_ASCII));
        byte[] input = "input".getBytes(StandardCharsets.US_ASCII);
        byte[][] t = Blake2s.kdf(3, key, input);
        byte[] t0 = Blake2s.hmac(key, input);
        assertThat(t[0]).isEqualTo(Blake2s.hmac(t0, new byte[] {1}));
        assertThat(t[1]).isEqualTo(Blake2s.hmac(t0, t[0], new byte[] {2}));
        assertThat(t[2]).isEqualTo(Blake2s.hmac(t0, t[1], new byte[] {3}));
        assertThat(Blake2s.kdf(1, key, input)[0]).isEqualTo(t[0]);
    }
}
