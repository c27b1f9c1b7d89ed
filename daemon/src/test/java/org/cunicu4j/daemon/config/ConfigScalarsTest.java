package org.cunicu4j.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Durations, globs and key suggestions. */
class ConfigScalarsTest {

    @Test
    void durationsInGoSyntaxOrWholeSeconds() {
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m3s4ms")).isEqualTo(Duration.ofMillis(123_004));
        assertThat(Durations.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
        assertThat(Durations.parse("7ns")).isEqualTo(Duration.ofNanos(7));
        assertThat(Durations.parse("25")).isEqualTo(Duration.ofSeconds(25));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("315360000")).isEqualTo(Duration.ofSeconds(315_360_000)); // 3650 days
        for (String bad : List.of("999999999999", "316224001", "87841h", "", "s", "5", "-5s", "5 s", "5d", "1.2.3s", "5sec", "1h-1m", ".s", "99999999999999999h")) {
            if (bad.equals("5")) {
                continue;
            }
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void globsLikeTheHostGatherersFilter() {
        assertThat(Glob.matches("wg*", "wg0")).isTrue();
        assertThat(Glob.matches("wg*", "wg")).isTrue();
        assertThat(Glob.matches("wg*", "eth0")).isFalse();
        assertThat(Glob.matches("*", "")).isTrue();
        assertThat(Glob.matches("wg?", "wg12")).isFalse();
        assertThat(Glob.matches("wg[0-3]", "wg2")).isTrue();
        assertThat(Glob.matches("wg[0-3]", "wg4")).isFalse();
        assertThat(Glob.matches("wg[!0-3]", "wg4")).isTrue();
        assertThat(Glob.matches("wg[!0-3]", "wg1")).isFalse();
        assertThat(Glob.matches("wg[ab]x", "wgbx")).isTrue();
        assertThat(Glob.matches("a*b*c", "axxbyyc")).isTrue();
        assertThat(Glob.matches("a*b*c", "axxbyy")).isFalse();
        assertThat(Glob.matches("wg0", "wg0")).isTrue();
        assertThat(Glob.matches("wg[", "wg[")).isTrue(); // no closing bracket: literal
        assertThat(Glob.matches("x[-a]", "x-")).isTrue();
        assertThat(Glob.matches("x[a-]", "x-")).isTrue();
        assertThat(Glob.matches("x[&^\\]", "x\\")).isTrue();
        assertThat(Glob.matches("x[&&a]", "xa")).isTrue();
        assertThat(Glob.matches("eth0.100", "eth0x100")).isFalse();
        assertThatThrownBy(() -> Glob.compile("wg[z-a]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid glob \"wg[z-a]\": the range z-a is reversed (write a-z)");
        assertThatThrownBy(() -> Glob.compile("wg[!]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> new org.cunicu4j.ice.gather.InterfaceFilter(List.of("[9-0]"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Glob.isGlob("wg0")).isFalse();
        assertThat(Glob.isGlob("wg[01]")).isTrue();
        assertThat(Glob.isGlob("wg?")).isTrue();
        // agree with org.cunicu4j.ice.gather.InterfaceFilter on the same globs
        for (String name : List.of("wg0", "wg12", "eth0", "wgx", "w", "")) {
            for (String glob : List.of("wg*", "wg?", "wg[0-3]", "wg[!0-3]", "*0", "eth[0-9]")) {
                boolean filter = !new org.cunicu4j.ice.gather.InterfaceFilter(List.of(), List.of(glob)).accepts(name);
                assertThat(Glob.matches(glob, name)).as(glob + " ~ " + name).isEqualTo(filter);
            }
        }
    }

    @Test
    void suggestionsForMistypedKeys() {
        List<String> keys = Schema.INTERFACE_KEYS;
        assertThat(Suggest.closest("listenPort", keys)).isEqualTo("listen_port");
        assertThat(Suggest.closest("listen-port", keys)).isEqualTo("listen_port");
        assertThat(Suggest.closest("privat_key", keys)).isEqualTo("private_key");
        assertThat(Suggest.closest("mtv", keys)).isEqualTo("mtu");
        assertThat(Suggest.closest("color", keys)).isNull();
        assertThat(Suggest.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void bareSecondsHaveTheTenYearCapToo() {
        assertThatThrownBy(() -> ConfigLoader.parse("ice:\n  check_interval: 999999999999\n", "t.yaml", java.util.Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:2:19: ice.check_interval: '999999999999' seconds is longer than ten years");
    }
}
