package org.cunicu4j.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.daemon.config.ConfigTesting.BOB;
import static org.cunicu4j.daemon.config.ConfigTesting.PRIV;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code CUNICU_*} variables and {@code -o key=value} options: file &lt; environment &lt; options. */
class ConfigOverridesTest {
    @TempDir
    Path dir;

    private static final String FILE = """
            listen_port: 51000
            backends: [grpc://file:8080]
            ice:
              urls: [stun:file:3478]
              username: fileuser
            interfaces:
              wg0:
                mtu: 1400
            """;

    @Test
    void environmentOverridesTheFileAndOptionsOverrideBoth() {
        Path file = ConfigTesting.write(dir, "c.yaml", FILE, "rw-r--r--");
        Map<String, String> env = Map.of(
                "CUNICU_LISTEN_PORT", "52000",
                "CUNICU_ICE_URLS", "stun:env:3478, turn:env:3478",
                "CUNICU_BACKENDS", "grpc://env:1",
                "CUNICU_RPC_SOCKET", "/tmp/env.sock",
                "HOME", "/root");
        DaemonConfig envOnly = ConfigLoader.load(file, env, List.of());
        assertThat(envOnly.interfaceConfig("wg0").listenPort()).isEqualTo(52000);
        assertThat(envOnly.interfaceConfig("wg0").ice().urls()).containsExactly("stun:env:3478", "turn:env:3478");
        assertThat(envOnly.interfaceConfig("wg0").ice().username()).isEqualTo("fileuser"); // untouched keys stay
        assertThat(envOnly.backends()).containsExactly("grpc://env:1");
        assertThat(envOnly.rpcSocket()).isEqualTo(Path.of("/tmp/env.sock"));
        assertThat(envOnly.interfaceConfig("wg0").mtu()).isEqualTo(1400);

        DaemonConfig both = ConfigLoader.load(file, env, List.of(
                "listen_port=53000",
                "ice.urls=[stun:opt:3478]",
                "interfaces.wg0.mtu=1300",
                "interfaces.wg9.proxy=user",
                "backends=grpc://o1:1,grpc://o2:2"));
        InterfaceConfig wg0 = both.interfaceConfig("wg0");
        assertThat(wg0.listenPort()).isEqualTo(53000);
        assertThat(wg0.ice().urls()).containsExactly("stun:opt:3478");
        assertThat(wg0.mtu()).isEqualTo(1300);
        assertThat(both.backends()).containsExactly("grpc://o1:1", "grpc://o2:2");
        assertThat(both.explicitInterfaces()).containsExactly("wg0", "wg9");
        assertThat(both.interfaceConfig("wg9").proxy()).contains(ProxyMode.USER);
        assertThat(both.interfaceConfig("wg9").listenPort()).isEqualTo(53000);
    }

    @Test
    void laterOptionsWinOverEarlierOnes() {
        DaemonConfig c = ConfigLoader.defaults(Map.of(), List.of("mtu=1300", "mtu=1280"));
        assertThat(c.interfaceConfig("wg0").mtu()).isEqualTo(1280);
    }

    @Test
    void everyKnownKeyPathHasAVariable() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("CUNICU_WATCH_INTERVAL", "250ms"),
                Map.entry("CUNICU_LOG_LEVEL", "debug"),
                Map.entry("CUNICU_PRIVATE_KEY", PRIV),
                Map.entry("CUNICU_LISTEN_PORT_RANGE_MIN", "40000"),
                Map.entry("CUNICU_LISTEN_PORT_RANGE_MAX", "40005"),
                Map.entry("CUNICU_USERSPACE", "false"),
                Map.entry("CUNICU_MTU", "1380"),
                Map.entry("CUNICU_ADDRESSES", "10.0.0.1/24,fd00::1/64"),
                Map.entry("CUNICU_PROXY", "bind"),
                Map.entry("CUNICU_ICE_CANDIDATE_TYPES", "host,relay"),
                Map.entry("CUNICU_ICE_NETWORK_TYPES", "udp4"),
                Map.entry("CUNICU_ICE_CHECK_INTERVAL", "100ms"),
                Map.entry("CUNICU_ICE_DISCONNECTED_TIMEOUT", "3s"),
                Map.entry("CUNICU_ICE_FAILED_TIMEOUT", "20"),
                Map.entry("CUNICU_ICE_KEEPALIVE_INTERVAL", "1s"),
                Map.entry("CUNICU_ICE_INTERFACES_INCLUDE", "eth*,en*"),
                Map.entry("CUNICU_ICE_INTERFACES_EXCLUDE", ""),
                Map.entry("CUNICU_ICE_USERNAME", "u"),
                Map.entry("CUNICU_ICE_PASSWORD", "p"),
                Map.entry("CUNICU_CONFIG", "/etc/ignored.yaml"));
        DaemonConfig c = ConfigLoader.defaults(env, List.of());
        assertThat(c.watchInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.logLevel()).isEqualTo("debug");
        InterfaceConfig i = c.interfaceConfig("wg0");
        assertThat(i.privateKey()).isEqualTo(Key.parsePrivate(PRIV));
        assertThat(i.listenPortRange()).isEqualTo(new PortRange(40000, 40005));
        assertThat(i.userspace()).isFalse();
        assertThat(i.mtu()).isEqualTo(1380);
        assertThat(i.addresses()).hasSize(2);
        assertThat(i.proxy()).contains(ProxyMode.BIND);
        assertThat(i.ice().candidateTypes()).containsExactly(CandidateType.HOST, CandidateType.RELAY);
        assertThat(i.ice().networkTypes()).containsExactly(NetworkType.UDP4);
        assertThat(i.ice().checkInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(i.ice().disconnectedTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(i.ice().failedTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(i.ice().keepaliveInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(i.ice().interfacesInclude()).containsExactly("eth*", "en*");
        assertThat(i.ice().interfacesExclude()).isEmpty();
        assertThat(i.ice().username()).isEqualTo("u");
        assertThat(i.ice().password()).isEqualTo("p");
        // a range as one string works too
        assertThat(ConfigLoader.defaults(Map.of("CUNICU_LISTEN_PORT_RANGE", "45000-45010"), List.of())
                .interfaceDefaults().listenPortRange()).isEqualTo(new PortRange(45000, 45010));
    }

    @Test
    void optionValuesAreYamlScalarsOrFlowLists() {
        DaemonConfig c = ConfigLoader.defaults(Map.of(), List.of(
                "ice.username=\"quoted user\"",
                "ice.urls=[\"stun:a:3478\", 'stun:b:3478']",
                "peers.bob.public_key=" + BOB,
                "peers.bob.endpoint=192.0.2.1:51820",
                "userspace=TRUE"));
        InterfaceConfig i = c.interfaceConfig("x");
        assertThat(i.ice().username()).isEqualTo("quoted user");
        assertThat(i.ice().urls()).containsExactly("stun:a:3478", "stun:b:3478");
        assertThat(i.peers().get("bob").endpoint()).isEqualTo("192.0.2.1:51820");
        assertThat(i.userspace()).isTrue();
    }

    @Test
    void errorsNameTheVariableOrTheOption() {
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of("CUNICU_MTU", "big"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment variable CUNICU_MTU: mtu: 'big' is not a whole number (expected 576..65535)");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("interfaces.wg0.listen_port=0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o interfaces.wg0.listen_port: interfaces.wg0.listen_port: 0 is out of range (expected 1..65535)");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice.check_intervall=1s")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o ice.check_intervall: ice.check_intervall: unknown key 'check_intervall' (did you mean 'check_interval'?)");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("listen_port")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option -o listen_port: expected key=value");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice..urls=x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a dotted key path");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice.urls=[stun:a")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option -o ice.urls: ice.urls: not valid YAML");
    }

    @Test
    void secretOptionValuesAreNotEchoed() {
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("private_key=" + PRIV.substring(1))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option -o private_key: private_key: not a valid private key")
                .hasMessageNotContaining(PRIV.substring(1, 20));
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice.password=[a, b]")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o ice.password: ice.password: expected a TURN password, got a list");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice={password: hunter2, usrname: u}")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o ice: ice.usrname: unknown key 'usrname' (did you mean 'username'?)");
    }

    @Test
    void optionsAreNamedByTheirKeyNeverByTheValue() {
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice.urls=turn:alice:hunter2@h:3478?transport=tcpx")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option -o ice.urls: ice.urls[0]: ")
                .hasMessageContaining("tcpx")
                .hasMessageNotContaining("hunter2");
        // no '=': only the leading run of key characters
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("private_key:SECRET")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option -o private_key: expected key=value")
                .hasMessageNotContaining("SECRET");
        // a key that is no key path: the same
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice.password:hunter2 x=1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o ice.password: not a dotted key path (e.g. interfaces.wg0.listen_port)");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("Hunter2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option -o (no key): expected key=value")
                .hasMessageNotContaining("Hunter2");
    }

    @Test
    void unknownVariablesAreWarningsButUnknownOptionKeysAreErrors() {
        DaemonConfig c = ConfigLoader.defaults(Map.of("CUNICU_ICE_URL", "stun:a", "CUNICU_FROBNICATE", "x",
                "CUNICU_MTU", "1400", "CUNICU_CONFIG", "/etc/x.yaml"), List.of());
        assertThat(c.interfaceDefaults().mtu()).isEqualTo(1400);
        assertThat(c.interfaceDefaults().ice().urls()).isEmpty();
        assertThat(c.warnings()).containsExactly(
                "environment variable CUNICU_FROBNICATE: not a configuration variable, ignored",
                "environment variable CUNICU_ICE_URL: not a configuration variable, ignored (did you mean CUNICU_ICE_URLS?)");
        assertThat(ConfigLoader.defaults(Map.of("CUNICU_MTU", "1400"), List.of()).warnings()).isEmpty();
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice.url=stun:a:3478")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o ice.url: ice.url: unknown key 'url' (did you mean 'urls'?)");
        assertThatThrownBy(() -> ConfigLoader.parse("ice:\n  url: [stun:a:3478]\n", "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'url'");
    }
}
