package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final String STATUS = """
            {"version": "0.1.0", "pid": 42, "interfaces": [
              {"name": "wg0", "proxy_mode": "bind", "peers": [
                {"name": "bob", "public_key": "k1=", "state": "connected", "proxy_mode": "BIND",
                 "selected_pair": {"local_type": "host", "remote_type": "srflx"}, "restarts": 2, "rtt_ms": 1.5e0},
                {"name": "carol", "publicKey": "k2=", "state": "CHECKING", "selectedPair": {"local": {"type": "prflx", "ip": "10.0.0.1", "port": 1},
                  "remote": {"type": "relay", "ip": "198.18.0.10", "port": 50000}, "protocol": "udp"}}
              ], "signaling": {"unknownSenders": 3}}
            ]}
            """;

    @Test
    void readsAStatusDocumentInEitherNamingStyle() {
        StatusView s = StatusView.parse(STATUS);
        assertThat(s.peers()).hasSize(2);
        StatusView.Peer bob = s.peer("k1=").orElseThrow();
        assertThat(bob.iface()).isEqualTo("wg0");
        assertThat(bob.state()).isEqualTo("CONNECTED");
        assertThat(bob.proxyMode()).isEqualTo("bind");
        assertThat(bob.localType()).isEqualTo("host");
        assertThat(bob.remoteType()).isEqualTo("srflx");
        assertThat(bob.restarts()).isEqualTo(2);
        StatusView.Peer carol = s.peer("carol").orElseThrow();
        assertThat(carol.publicKey()).isEqualTo("k2=");
        assertThat(carol.localType()).isEqualTo("prflx");
        assertThat(carol.remoteType()).isEqualTo("relay");
        assertThat(carol.remoteIp()).isEqualTo("198.18.0.10");
        assertThat(bob.remoteIp()).isNull();
        assertThat(s.findNumber("unknownSenders")).contains(3L);
        assertThat(s.findNumber("pid")).contains(42L);
    }

    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" [1, -2, 3.5, 1e3, \"a\\n\\u00e9\\\"\", true, false, null, {}, []] ");
        assertThat(v).isEqualTo(java.util.Arrays.asList(1L, -2L, 3.5, 1000.0, "a\né\"", true, false, null, Map.of(),
                List.of()));
    }

    @Test
    void rejectsMalformedTextNamingTheOffset() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1,}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 8");
        assertThatThrownBy(() -> Json.parse("[01]")).hasMessageContaining("a number");
        assertThatThrownBy(() -> Json.parse("\"abc")).hasMessageContaining("closing");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("end of input");
    }

    @Test
    void mutatedDocumentsEitherParseOrFailWithIllegalArgument() {
        long seed = 0x5eed7L;
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            char[] c = STATUS.toCharArray();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                c[r.nextInt(c.length)] = "{}[]\",:\\0123456789eE+-.tfnu x".charAt(r.nextInt(29));
            }
            String text = new String(c, 0, r.nextInt(c.length + 1));
            try {
                Json.parse(text);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as("seed %d iteration %d", seed, i).startsWith("JSON: expected");
            }
        }
    }
}
