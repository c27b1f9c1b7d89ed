package org.cunicu4j.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** ChaCha20-Poly1305 (RFC 8439 §2.8.2), XChaCha20-Poly1305 and HChaCha20 (draft-irtf-cfrg-xchacha-03). */
class ChaChaPolyTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SUNSCREEN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip"
            + " for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static final byte[] AAD = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");

    /** RFC 8439 §2.8.2: nonce 07000000 || 4041424344454647. */
    @Test
    void rfc8439Section282() {
        byte[] buf = Arrays.copyOf(SUNSCREEN, SUNSCREEN.length + 16);
        int n = new ChaChaPoly().sealWithNonce(ChaChaPoly.key(KEY), HEX.parseHex("070000004041424344454647"), buf, 0, SUNSCREEN.length, AAD);
        assertThat(n).isEqualTo(SUNSCREEN.length + 16);
        assertThat(HEX.formatHex(buf)).isEqualTo(
                "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
                        + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                        + "3ff4def08e4b7a9de576d26586cec64b6116"
                        + "1ae10b594f09e26a7e902ecbd0600691");
    }

    /** Our counter nonce: a sealed message opens with the same counter only, and tampering is refused. */
    @Test
    void counterNonceRoundTripAndTamper() {
        ChaChaPoly a = new ChaChaPoly();
        var key = ChaChaPoly.key(KEY);
        byte[] buf = Arrays.copyOf(SUNSCREEN, SUNSCREEN.length + 16);
        int sealed = a.seal(key, 42, buf, 0, SUNSCREEN.length, null);
        byte[] copy = buf.clone();
        assertThat(a.open(key, 42, buf, 0, sealed, null)).isEqualTo(SUNSCREEN.length);
        assertThat(Arrays.copyOf(buf, SUNSCREEN.length)).isEqualTo(SUNSCREEN);
        byte[] wrongCounter = copy.clone();
        assertThat(a.open(key, 43, wrongCounter, 0, sealed, null)).isEqualTo(-1);
        byte[] flipped = copy.clone();
        flipped[5] ^= 1;
        assertThat(a.open(key, 42, flipped, 0, sealed, null)).isEqualTo(-1);
        assertThat(a.open(key, 42, copy, 0, 15, null)).isEqualTo(-1);
    }

    /** The nonce of counter c is 4 zero bytes then c little-endian. */
    @Test
    void counterNonceLayout() {
        byte[] n = new byte[12];
        ChaChaPoly.counterNonce(n, 4, 0x0102030405060708L);
        assertThat(HEX.formatHex(n)).isEqualTo("000000000807060504030201");
    }

    /** draft-irtf-cfrg-xchacha-03 §2.2.1: the HChaCha20 subkey. */
    @Test
    void hChaCha20() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
        assertThat(HEX.formatHex(XChaChaPoly.hChaCha20(key, nonce)))
                .isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
    }

    /** draft-irtf-cfrg-xchacha-03 §A.3.1: AEAD_XChaCha20_Poly1305. */
    @Test
    void xChaCha20Poly1305() {
        byte[] iv = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] sealed = XChaChaPoly.seal(KEY, iv, SUNSCREEN, AAD);
        assertThat(HEX.formatHex(sealed)).isEqualTo(
                "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
                        + "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                        + "21f9664c97637da9768812f615c68b13b52e"
                        + "c0875924c1c7987947deafd8780acf49");
        assertThat(XChaChaPoly.open(KEY, iv, sealed, AAD)).isEqualTo(SUNSCREEN);
        sealed[0] ^= 1;
        assertThat(XChaChaPoly.open(KEY, iv, sealed, AAD)).isNull();
    }

    /** Seeded cross-check against the JDK's own ChaCha20-Poly1305 (an independent Poly1305) for every length 0..300 and random AAD. */
    @Test
    void matchesTheJdkAead() throws Exception {
        long seed = 8439;
        java.util.Random rnd = new java.util.Random(seed);
        ChaChaPoly ours = new ChaChaPoly();
        javax.crypto.Cipher jdk = javax.crypto.Cipher.getInstance("ChaCha20-Poly1305");
        for (int len = 0; len <= 1500; len += (len < 300 ? 1 : 37)) {
            byte[] key = new byte[32];
            rnd.nextBytes(key);
            byte[] aad = new byte[rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(40)];
            rnd.nextBytes(aad);
            byte[] pt = new byte[len];
            rnd.nextBytes(pt);
            if (len % 3 == 0) { // extremes stress the carries of the 64-bit limbs
                Arrays.fill(pt, (byte) 0xff);
                Arrays.fill(aad, (byte) 0xff);
                Arrays.fill(key, (byte) (len % 2 == 0 ? 0xff : 0));
            }
            long counter = rnd.nextLong();
            byte[] nonce = new byte[12];
            ChaChaPoly.counterNonce(nonce, 4, counter);
            jdk.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "ChaCha20"),
                    new javax.crypto.spec.IvParameterSpec(nonce));
            if (aad.length > 0) {
                jdk.updateAAD(aad);
            }
            byte[] want = jdk.doFinal(pt);
            byte[] buf = Arrays.copyOf(pt, len + 16);
            ours.seal(ChaChaPoly.key(key), counter, buf, 0, len, aad.length == 0 ? null : aad);
            assertThat(buf).as("seed %d length %d", seed, len).isEqualTo(want);
            assertThat(ours.open(ChaChaPoly.key(key), counter, buf, 0, len + 16, aad.length == 0 ? null : aad))
                    .as("seed %d length %d", seed, len).isEqualTo(len);
            assertThat(Arrays.copyOf(buf, len)).isEqualTo(pt);
        }
    }

    /**
     * Allocation per packet stays small: what is left is inside the JCE's ChaCha20
     * {@code Cipher.init} (about 130 bytes); the JDK's own ChaCha20-Poly1305 took about 2.2 KB
     * per operation. Guards against a regression to it (allocation, not speed, is asserted).
     */
    @Test
    void sealAndOpenAllocateLittle() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ChaChaPoly p = new ChaChaPoly();
        var k = ChaChaPoly.key(KEY);
        byte[] buf = new byte[1500];
        long ctr = 0;
        for (int i = 0; i < 20_000; i++) { // warm up
            p.seal(k, ctr++, buf, 16, 1400, null);
            p.open(k, ctr - 1, buf, 16, 1416, null);
        }
        int n = 20_000;
        long a0 = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            p.seal(k, ctr++, buf, 16, 1400, null);
            p.open(k, ctr - 1, buf, 16, 1416, null);
        }
        long perPacket = (mx.getCurrentThreadAllocatedBytes() - a0) / n;
        assertThat(perPacket).as("bytes allocated per seal+open").isLessThan(1024);
    }
}
