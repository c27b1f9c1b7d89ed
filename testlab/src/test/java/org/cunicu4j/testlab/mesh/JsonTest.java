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
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" [1, -2, 3.5, 1e3, \"a\\n\\u00e9\\\"\", true, false, null, {}, [], 12345678901234567890] ");
        assertThat(v).isEqualTo(java.util.Arrays.asList(1L, -2L, 3.5, 1000.0, "a\né\"", true, false, null, Map.of(),
                List.of(), 1.2345678901234567e19));
    }

    @Test
    void rejectsMalformedTextNamingWhatWasExpected() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1,}")).hasMessageContaining("offset 8");
        assertThatThrownBy(() -> Json.parse("[01]")).hasMessageContaining("a number");
        assertThatThrownBy(() -> Json.parse("\"abc")).hasMessageContaining("closing");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("end of input");
        assertThatThrownBy(() -> Json.parse("\"a\tb\"")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1, \"a\": 2}")).hasMessageContaining("repeated member name \"a\"")
                .hasMessageContaining("offset 9");
    }

    @Test
    void objectAndArrayCastOrNameWhatTheyGot() {
        assertThat(Json.object(Json.parse("{\"k\": [true]}")).get("k")).isEqualTo(List.of(true));
        assertThat(Json.array(Json.parse("[1]"))).containsExactly(1L);
        assertThatThrownBy(() -> Json.object(List.of())).hasMessageContaining("expected an object");
        assertThatThrownBy(() -> Json.array(null)).hasMessageContaining("expected an array, got null");
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
                assertThat(expected.getMessage()).as("seed %d, input %s", seed, s).startsWith("JSON: expected")
                        .contains("offset");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", input " + s, e);
            }
        }
    }
}
