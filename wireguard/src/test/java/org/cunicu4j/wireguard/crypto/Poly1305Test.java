package org.cunicu4j.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * Our Poly1305 alone. It absorbs zero-padded 16-byte blocks only (the AEAD's use), so the
 * RFC 8439 A.3 vectors whose messages are whole blocks apply directly (they include the
 * 2^130-5 reduction edge cases); §2.5.2's 34-byte message is covered through the AEAD vector
 * in {@link ChaChaPolyTest}. Every vector is also checked against BouncyCastle's Poly1305.
 */
class Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] ours(byte[] key, byte[] m, int len) {
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        p.updatePadded(m, 0, len);
        byte[] tag = new byte[16];
        p.finish(tag, 0);
        return tag;
    }

    private static byte[] bouncy(byte[] key, byte[] m, int len) {
        var p = new org.bouncycastle.crypto.macs.Poly1305();
        p.init(new KeyParameter(key));
        byte[] padded = new byte[(len + 15) & ~15];
        System.arraycopy(m, 0, padded, 0, len);
        p.update(padded, 0, padded.length);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        return tag;
    }

    private static void vector(String name, String r, String s, String text, String tag) {
        byte[] key = HEX.parseHex(r + s);
        byte[] m = HEX.parseHex(text);
        assertThat(HEX.formatHex(bouncy(key, m, m.length))).as(name + " (BouncyCastle)").isEqualTo(tag);
        assertThat(HEX.formatHex(ours(key, m, m.length))).as(name).isEqualTo(tag);
    }

    private static final String Z16 = "00".repeat(16);
    private static final String F16 = "ff".repeat(16);

    @Test
    void rfc8439AppendixA3() {
        vector("#1", Z16, Z16, "00".repeat(64), Z16);
        vector("#5", "02" + "00".repeat(15), Z16, F16, "03" + "00".repeat(15));
        vector("#6", "02" + "00".repeat(15), F16, "02" + "00".repeat(15), "03" + "00".repeat(15));
        vector("#7", "01" + "00".repeat(15), Z16, F16 + "f0" + "ff".repeat(15) + "11" + "00".repeat(15), "05" + "00".repeat(15));
        vector("#8", "01" + "00".repeat(15), Z16, F16 + "fb" + "fe".repeat(15) + "01".repeat(16), Z16);
        vector("#9", "02" + "00".repeat(15), Z16, "fd" + "ff".repeat(15), "fa" + "ff".repeat(15));
        String r10 = "0100000000000000" + "0400000000000000";
        String t10 = "e33594d7505e43b9" + "0000000000000000" + "3394d7505e4379cd" + "0100000000000000" + Z16;
        vector("#10", r10, Z16, t10 + "01" + "00".repeat(15), "1400000000000000" + "5500000000000000");
        vector("#11", r10, Z16, t10, "13" + "00".repeat(15));
    }

    @Test
    void matchesBouncyCastleForRandomLengths() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        byte[] key = new byte[32];
        byte[] m = new byte[2000];
        for (int i = 0; i < 3000; i++) {
            int len = rnd.nextInt(2001);
            rnd.nextBytes(key);
            int mode = rnd.nextInt(4);
            for (int j = 0; j < len; j++) {
                m[j] = switch (mode) {
                    case 0 -> (byte) 0xff;
                    case 1 -> (byte) (rnd.nextBoolean() ? 0xff : 0);
                    default -> (byte) rnd.nextInt();
                };
            }
            if (mode == 0) {
                java.util.Arrays.fill(key, 16, 32, (byte) 0xff);
            }
            assertThat(ours(key, m, len)).as("seed %d, message %d, length %d", seed, i, len).isEqualTo(bouncy(key, m, len));
        }
    }
}
