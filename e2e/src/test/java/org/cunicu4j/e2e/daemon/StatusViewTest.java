package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link StatusView} over a status document (the JSON reader itself is tested in testlab). */
class StatusViewTest {
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
}
