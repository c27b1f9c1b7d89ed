package org.cunicu4j.testlab.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of the mesh lab that need no machine: keys, config text, status parsing, the ping table. */
class MeshUnitsTest {

    @Test
    void keysAreWireGuardShapedAndPrintOnlyThePublicHalf() {
        MeshKeys k = MeshKeys.generate();
        byte[] priv = Base64.getDecoder().decode(k.privateKey());
        assertThat(priv).hasSize(32);
        assertThat(priv[0] & 7).as("clamped low bits").isZero();
        assertThat(priv[31] & 0xc0).as("clamped high bits").isEqualTo(0x40);
        assertThat(Base64.getDecoder().decode(k.publicKey())).hasSize(32);
        assertThat(k.toString()).contains(k.publicKey()).doesNotContain(k.privateKey());
        assertThat(MeshKeys.generate().publicKey()).isNotEqualTo(k.publicKey());
    }

    @Test
    void configYamlHasTheSnakeCaseKeysAndQuotesValues() {
        MeshConfig c = new MeshConfig("c4j1m1a", DeviceKind.OURS, "PRIVATEKEY=", 51820, List.of("10.99.0.1/24"),
                List.of("grpc://198.18.0.10:8080?insecure=true"), List.of("stun:s:3478", "turn:s:3478?transport=udp"),
                "mesh", "pw\"x", Map.of("interfaces_exclude", List.of("c4j*", "wg*")), "/tmp/x/alice.sock",
                List.of(new MeshConfig.Peer("bob", "BOBKEY=", List.of("10.99.0.2/32", "fd99::2/128"))));
        String y = c.yaml();
        assertThat(y).contains("backends:\n  - \"grpc://198.18.0.10:8080?insecure=true\"\n")
                .contains("ice:\n  urls:\n    - \"stun:s:3478\"\n    - \"turn:s:3478?transport=udp\"\n")
                .contains("  username: \"mesh\"\n  password: \"pw\\\"x\"\n  interfaces_exclude: [\"c4j*\", \"wg*\"]\n")
                .contains("rpc:\n  socket: \"/tmp/x/alice.sock\"\n")
                .contains("interfaces:\n  c4j1m1a:\n    userspace: true\n    private_key: \"PRIVATEKEY=\"\n"
                        + "    listen_port: 51820\n")
                .contains("    peers:\n      bob:\n        public_key: \"BOBKEY=\"\n        allowed_ips:\n"
                        + "          - \"10.99.0.2/32\"\n          - \"fd99::2/128\"\n");
        assertThat(c.toString()).doesNotContain("PRIVATEKEY");
        MeshConfig wg = new MeshConfig("c4j1m1a", DeviceKind.WIREGUARD_GO, "K=", 1, List.of(), List.of(), List.of(),
                "u", "p", Map.of(), "/s", List.of());
        assertThat(wg.yaml()).contains("    userspace: false\n");
    }

    @Test
    void sessionViewsReadSnakeAndCamelCase() {
        String snake = "{\"version\":\"0.1\",\"interfaces\":[{\"name\":\"c4j1m1a\",\"peers\":["
                + "{\"name\":\"bob\",\"public_key\":\"B=\",\"state\":\"connected\",\"proxy_mode\":\"BIND\","
                + "\"selected_pair\":{\"local_type\":\"SRFLX\",\"remote_type\":\"prflx\"},\"restarts\":1},"
                + "{\"name\":\"carol\",\"public_key\":\"C=\",\"state\":\"CHECKING\",\"selected_pair\":null}]}]}";
        List<SessionView> v = SessionView.parse(snake);
        assertThat(v).hasSize(2);
        assertThat(v.get(0)).isEqualTo(new SessionView("c4j1m1a", "bob", "B=", "CONNECTED", "srflx", "prflx", "bind", 1));
        assertThat(v.get(0).pairTypes()).isEqualTo("srflx ↔ prflx");
        assertThat(v.get(0).relayed()).isFalse();
        assertThat(v.get(1).connected()).isFalse();
        assertThat(v.get(1).pairTypes()).isEqualTo("no pair");
        assertThat(v.get(1).restarts()).isEqualTo(-1);

        String camel = "{\"interfaces\":[{\"name\":\"i\",\"peers\":[{\"publicKey\":\"C=\",\"state\":\"CONNECTED\","
                + "\"proxyMode\":\"user\",\"selectedPair\":{\"localType\":\"relay\",\"remoteType\":\"srflx\"}}]}]}";
        SessionView c = SessionView.parse(camel).getFirst();
        assertThat(c.publicKey()).isEqualTo("C=");
        assertThat(c.relayed()).isTrue();
        assertThat(c.proxyMode()).isEqualTo("user");
    }

    @Test
    void sessionViewsReadTheCliLayout() {
        String cli = "{\"version\":\"0.1.0\",\"pid\":12,\"interfaces\":[{\"name\":\"c4j1m1a\",\"device\":\"cunicu4j\","
                + "\"public_key\":\"A=\",\"listen_port\":51820,\"proxy_mode\":\"bind\",\"proxy_reason\":\"auto\",\"peers\":["
                + "{\"name\":\"carol\",\"public_key\":\"C=\",\"state\":\"connected\",\"proxy_mode\":null,"
                + "\"selected_pair\":{\"local\":{\"type\":\"srflx\",\"ip\":\"198.18.1.1\",\"port\":51820},"
                + "\"remote\":{\"type\":\"relay\",\"ip\":\"198.18.0.10\",\"port\":50000},\"protocol\":\"udp\"},"
                + "\"rtt_ms\":1.5,\"rx_bytes\":10,\"tx_bytes\":20,\"last_handshake\":null,\"endpoint\":null,"
                + "\"restarts\":0,\"last_error\":null}]}]}";
        SessionView v = SessionView.parse(cli).getFirst();
        assertThat(v).isEqualTo(new SessionView("c4j1m1a", "carol", "C=", "CONNECTED", "srflx", "relay", "bind", 0));
        assertThat(v.relayed()).isTrue();
    }

    @Test
    void pingMatrixNamesItsFailuresAndFormatsATable() {
        PingMatrix m = new PingMatrix(List.of("alice", "bob"), new double[][] {{0, 1.234}, {-1, 0}});
        assertThat(m.allOk()).isFalse();
        assertThat(m.failures()).containsExactly("bob → alice");
        assertThat(m.format()).contains("1.23 ms").contains("FAIL").startsWith("from \\ to");
        PingMatrix ok = new PingMatrix(List.of("a", "b"), new double[][] {{0, 1}, {2, 0}});
        assertThat(ok.allOk()).isTrue();
    }

    @Test
    void monitorEventsGiveTheLastStateAndPairPerPeer() {
        MonitorFeed f = new MonitorFeed(null, null);
        f.accept("{\"time\":\"t\",\"type\":\"peer_state_changed\",\"interface\":\"i\",\"peer\":\"B=\",\"from\":\"IDLE\","
                + "\"to\":\"CONNECTING\",\"message\":\"m\"}");
        assertThat(f.state("B=")).isEqualTo("CONNECTING");
        f.accept("{\"type\":\"selected_pair_changed\",\"peer\":\"B=\",\"from\":null,"
                + "\"to\":\"/198.18.1.1:51820 (srflx) <-> /198.18.2.1:51820 (srflx)\"}");
        f.accept("{\"type\":\"peer_state_changed\",\"peer\":\"B=\",\"to\":\"connected\"}");
        assertThat(f.state("B=")).isEqualTo("CONNECTED");
        assertThat(f.pair("B=")).isEqualTo("srflx ↔ srflx");
        f.accept("not json");
        f.accept("{\"type\":\"signaling\",\"peer\":null}");
        f.accept("{\"type\":\"peer_removed\",\"peer\":\"B=\"}");
        assertThat(f.state("B=")).isNull();
        assertThat(f.pair("B=")).isNull();
        assertThat(MonitorFeed.pairTypes("[fd00::1]:1 (relay) <-> 1.2.3.4:5 (prflx)")).isEqualTo("relay ↔ prflx");
        assertThat(MonitorFeed.pairTypes("none")).isNull();
    }

    @Test
    void launcherAddsJvmOptionsOnlyToAJavaCommand() {
        Launcher java = Launcher.java("/x/c.jar");
        assertThat(java.command("status")).endsWith("-cp", "/x/c.jar", Launcher.MAIN_CLASS, "status");
        Launcher quick = java.quick();
        assertThat(quick.prefix().get(1)).isEqualTo("-XX:TieredStopAtLevel=1");
        assertThat(quick.prefix()).endsWith("-cp", "/x/c.jar", Launcher.MAIN_CLASS);
        Launcher script = new Launcher(List.of("/usr/local/bin/cunicu4j"));
        assertThat(script.quick()).isEqualTo(script);
        assertThat(Launcher.currentClassPath().prefix().get(Launcher.currentClassPath().prefix().indexOf("-cp") + 1))
                .startsWith("/");
    }

    @Test
    void scenariosExpectRelayOnlyWhereNatsOrBlocksForceIt() {
        assertThat(Scenario.ONE_SWITCH.relayExpected(0, 1)).isFalse();
        assertThat(Scenario.EI_NATS.relayExpected(0, 2)).isFalse();
        assertThat(Scenario.SYMMETRIC_NATS.relayExpected(0, 1)).isTrue();
        assertThat(Scenario.UDP_BLOCKED.relayExpected(1, 2)).isTrue();
        assertThat(Scenario.DEMO.relayExpected(0, 1)).isFalse();
        assertThat(Scenario.DEMO.relayExpected(0, 2)).isTrue();
        assertThat(Scenario.DEMO.relayExpected(2, 1)).isTrue();
    }
}
