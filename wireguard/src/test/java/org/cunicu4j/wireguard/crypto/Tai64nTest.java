package org.cunicu4j.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** TAI64N: label 2^62 + Unix seconds, then nanoseconds, big-endian (cr.yp.to/libtai/tai64.html). */
class Tai64nTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void unixEpochIsTwoToTheSixtySecond() {
        assertThat(HEX.formatHex(Tai64n.of(Instant.EPOCH))).isEqualTo("400000000000000000000000");
    }

    @Test
    void fixedCases() {
        assertThat(HEX.formatHex(Tai64n.of(Instant.ofEpochSecond(1, 2)))).isEqualTo("400000000000000100000002");
        assertThat(HEX.formatHex(Tai64n.of(Instant.ofEpochSecond(-1, 999_999_999)))).isEqualTo("3fffffffffffffff3b9ac9ff");
        assertThat(HEX.formatHex(Tai64n.of(Instant.ofEpochSecond(0x5f5e100L, 0x10203))))
                .isEqualTo("4000000005f5e10000010203");
    }

    @Test
    void roundTripAndOrder() {
        Instant a = Instant.parse("2026-11-25T10:00:00.123456789Z");
        Instant b = a.plusNanos(1);
        assertThat(Tai64n.toInstant(Tai64n.of(a))).isEqualTo(a);
        assertThat(Tai64n.after(Tai64n.of(b), Tai64n.of(a))).isTrue();
        assertThat(Tai64n.after(Tai64n.of(a), Tai64n.of(a))).isFalse();
        assertThat(Tai64n.after(Tai64n.of(a), Tai64n.of(b))).isFalse();
    }
}
