package org.cunicu4j.wireguard.crypto;

import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps as WireGuard's handshake carries them: 8 bytes big-endian
 * {@code 2^62 + 10 + seconds since the Unix epoch} (TAI = UTC + 10 s at the epoch, as
 * wireguard-go and the kernel count), then 4 bytes big-endian nanoseconds. Stateless.
 */
public final class Tai64n {
    /** Encoded length. */
    public static final int LENGTH = 12;
    private static final long BASE = 0x400000000000000aL; // 2^62 + 10

    private Tai64n() {}

    /** The timestamp of {@code t}. */
    public static byte[] of(Instant t) {
        byte[] out = new byte[LENGTH];
        long s = BASE + t.getEpochSecond();
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (s >>> (56 - 8 * i));
        }
        int n = t.getNano();
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (n >>> (24 - 8 * i));
        }
        return out;
    }

    /** The instant a timestamp encodes. */
    public static Instant toInstant(byte[] tai) {
        long s = 0;
        for (int i = 0; i < 8; i++) {
            s = (s << 8) | (tai[i] & 0xff);
        }
        long n = 0;
        for (int i = 8; i < 12; i++) {
            n = (n << 8) | (tai[i] & 0xff);
        }
        return Instant.ofEpochSecond(s - BASE, n);
    }

    /** True when {@code a} is strictly later than {@code b} (both 12 bytes). */
    public static boolean after(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, 0, LENGTH, b, 0, LENGTH) > 0;
    }
}
