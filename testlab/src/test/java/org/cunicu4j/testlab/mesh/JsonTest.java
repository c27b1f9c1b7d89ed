package org.cunicu4j.testlab.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesObjectsArraysStringsNumbersAndLiterals() {
        Object v = Json.parse(" {\"a\": [1, 2.5, -3e2], \"s\": \"x\\\"y\\u00e9\\n\", \"t\": true, \"f\": false, \"n\": null,"
                + " \"o\": {}} ");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("a")).isEqualTo(List.of(1L, 2.5, -300.0));
        assertThat(m.get("s")).isEqualTo("x\"yé\n");
        assertThat(m.get("t")).isEqualTo(true);
        assertThat(m.get("f")).isEqualTo(false);
        assertThat(m.containsKey("n")).isTrue();
        assertThat(m.get("n")).isNull();
        assertThat(m.get("o")).isEqualTo(Map.of());
    }

    @Test
    void malformedInputThrowsIllegalArgumentWithTheOffset() {
        for (String bad : List.of("", "{", "[1,", "{\"a\" 1}", "tru", "\"abc", "{} x", "[1 2]", "\"\\q\"", "-")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("offset");
        }
    }

    @Test
    void randomCutsAndFlipsOfAValidDocumentNeverThrowAnythingElse() {
        String doc = "{\"interfaces\":[{\"name\":\"c4j1m1a\",\"peers\":[{\"public_key\":\"abc=\",\"state\":\"CONNECTED\","
                + "\"restarts\":2,\"rtt_ms\":0.5,\"selected_pair\":null}]}]}";
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 5000; i++) {
            char[] c = doc.substring(0, r.nextInt(doc.length() + 1)).toCharArray();
            if (c.length > 0 && r.nextBoolean()) {
                c[r.nextInt(c.length)] = (char) (32 + r.nextInt(95));
            }
            String s = new String(c);
            try {
                Json.parse(s);
            } catch (IllegalArgumentException expected) {
                // malformed: fine
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", input " + s, e);
            }
        }
    }
}
