package org.cunicu4j.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * TAI64N: label 2^62 + TAI seconds, then nanoseconds, big-endian (cr.yp.to/libtai/tai64.html);
 * the Unix epoch is 1970-01-01 00:00:10 TAI, so label 2^62 + 10 (wireguard-go's and the
 * kernel's base {@code 0x400000000000000a}).
 */
class Tai64nTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void unixEpochIsTwoToTheSixtySecondPlusTen() {
        assertThat(HEX.formatHex(Tai64n.of(Instant.EPOCH))).isEqualTo("400000000000000a00000000");
        assertThat(Tai64n.toInstant(HEX.parseHex("400000000000000a00000000"))).isEqualTo(Instant.EPOCH);
    }

    @Test
    void fixedCases() {
        assertThat(HEX.formatHex(Tai64n.of(Instant.ofEpochSecond(1, 2)))).isEqualTo("400000000000000b00000002");
        assertThat(HEX.formatHex(Tai64n.of(Instant.ofEpochSecond(-1, 999_999_999)))).isEqualTo("40000000000000093b9ac9ff");
        assertThat(HEX.formatHex(Tai64n.of(Instant.ofEpochSecond(0x5f5e100L, 0x10203))))
                .isEqualTo("4000000005f5e10a00010203");
        // 2020-01-01T00:00:00Z = Unix 1577836800 = 0x5e0be100, + 10
        assertThat(HEX.formatHex(Tai64n.of(Instant.parse("2020-01-01T00:00:00Z")))).isEqualTo("400000005e0be10a00000000");
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
