package org.cunicu4j.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated configurations (characters deleted, duplicated, inserted; lines swapped) either load
 * or fail with a {@link ConfigException} naming where: never another exception.
 */
class ConfigFuzzTest {
    private static final String ALPHABET = " \n\t:-,[]{}\"'#&*!|>?%@`0123456789abcdefghijklmnopqrstuvwxyz_./=+~\\";

    @Test
    void mutatedExamplesLoadOrFailWithConfigException() {
        String valid = ConfigTesting.example();
        long seed = Long.getLong("fuzz.seed", 0x5EEDC0F1L);
        Random random = new Random(seed);
        int loaded = 0;
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            long caseSeed = random.nextLong();
            String text = mutate(valid, new Random(caseSeed));
            try {
                DaemonConfig c = ConfigLoader.parse(text, "fuzz.yaml", Map.of(), List.of());
                try {
                    assertThat(c.interfaceConfig("wg7")).isNotNull();
                } catch (ConfigException e) {
                    // a combination of patterns may be inconsistent; still a ConfigException
                }
                assertThat(c.toString()).doesNotContain("s3cret-turn-password");
                loaded++;
            } catch (ConfigException e) {
                assertThat(e.getMessage()).as("case seed %d", caseSeed).startsWith("fuzz.yaml");
                assertThat(e.getMessage()).as("case seed %d", caseSeed).doesNotContain("s3cret-turn-password");
                refused++;
            } catch (Throwable t) {
                fail("case seed " + caseSeed + " (run seed " + seed + "): " + t + "\n--- input ---\n" + text, t);
            }
        }
        // the mutations must exercise both outcomes, or the loop tests nothing
        assertThat(loaded).as("seed %d", seed).isPositive();
        assertThat(refused).as("seed %d", seed).isPositive();
    }

    @Test
    void mutatedOverridesLoadOrFailWithConfigException() {
        List<String> valid = List.of("ice.urls=[stun:a:3478, turn:b:3478]", "interfaces.wg0.listen_port=51821",
                "listen_port_range=100-200", "ice.check_interval=150ms", "peers.bob.public_key=" + ConfigTesting.BOB);
        long seed = 0xC0FFEEL;
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            long caseSeed = random.nextLong();
            Random r = new Random(caseSeed);
            String option = mutateOnce(valid.get(r.nextInt(valid.size())), r);
            try {
                ConfigLoader.defaults(Map.of(), List.of(option));
            } catch (ConfigException e) {
                assertThat(e.getMessage()).as("case seed %d", caseSeed).startsWith("option -o ");
            } catch (Throwable t) {
                fail("case seed " + caseSeed + " (run seed " + seed + "): " + t + " for -o " + option, t);
            }
        }
    }

    private static String mutate(String text, Random r) {
        String s = text;
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n; k++) {
            s = mutateOnce(s, r);
        }
        return s;
    }

    private static String mutateOnce(String s, Random r) {
        if (s.isEmpty()) {
            return String.valueOf(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        int at = r.nextInt(s.length());
        int len = 1 + r.nextInt(Math.min(8, s.length() - at));
        return switch (r.nextInt(5)) {
            case 0 -> s.substring(0, at) + s.substring(at + len); // delete
            case 1 -> s.substring(0, at) + s.substring(at, at + len) + s.substring(at); // duplicate
            case 2 -> s.substring(0, at) + ALPHABET.charAt(r.nextInt(ALPHABET.length())) + s.substring(at); // insert
            case 3 -> s.substring(0, at) + ALPHABET.charAt(r.nextInt(ALPHABET.length())) + s.substring(at + 1); // replace
            default -> { // swap two lines
                String[] lines = s.split("\n", -1);
                int a = r.nextInt(lines.length);
                int b = r.nextInt(lines.length);
                String t = lines[a];
                lines[a] = lines[b];
                lines[b] = t;
                yield String.join("\n", lines);
            }
        };
    }
}
