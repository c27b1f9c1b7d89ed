package org.cunicu4j.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.cunicu4j.daemon.config.ConfigTesting.BOB;
import static org.cunicu4j.daemon.config.ConfigTesting.PRIV;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of mistake names the file, the line (and column), the key path and what is wrong. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    /** name, YAML, the text on the offending line, the key path, a fragment of the problem. */
    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("syntax", "backends: [grpc://a:1\nlisten_port: 1\n", "listen_port", "", "not valid YAML"),
                Arguments.of("unknown top-level key", "listen_prot: 51820\n", "listen_prot", "listen_prot",
                        "unknown key 'listen_prot' (did you mean 'listen_port'?)"),
                Arguments.of("camelCase key", "ice:\n  checkInterval: 1s\n", "checkInterval", "ice.checkInterval",
                        "did you mean 'check_interval'?"),
                Arguments.of("unknown peer key", "interfaces:\n  wg0:\n    peers:\n      bob:\n        publickey: x\n",
                        "publickey", "interfaces.wg0.peers.bob.publickey", "did you mean 'public_key'?"),
                Arguments.of("far-off key", "frobnicate: 1\n", "frobnicate", "frobnicate", "expected one of backends"),
                Arguments.of("bad public key",
                        "interfaces:\n  wg0:\n    peers:\n      bob:\n        public_key: notakey\n", "public_key",
                        "interfaces.wg0.peers.bob.public_key", "not a valid public key"),
                Arguments.of("missing public key", "interfaces:\n  wg0:\n    peers:\n      bob:\n        endpoint: a:1\n",
                        "endpoint", "interfaces.wg0.peers.bob.public_key", "required"),
                Arguments.of("port out of range", "interfaces:\n  wg0:\n    listen_port: 70000\n", "70000",
                        "interfaces.wg0.listen_port", "70000 is out of range (expected 1..65535)"),
                Arguments.of("port not a number", "listen_port: many\n", "many", "listen_port", "'many' is not a whole number"),
                Arguments.of("bad duration", "ice:\n  check_interval: 5 parsecs\n", "parsecs", "ice.check_interval",
                        "not a duration"),
                Arguments.of("zero interval", "watch_interval: 0s\n", "watch_interval", "watch_interval", "longer than zero"),
                Arguments.of("tcp network type", "ice:\n  network_types: [udp4, tcp4]\n", "network_types",
                        "ice.network_types[1]", "tcp4 is not supported"),
                Arguments.of("no network type", "ice:\n  network_types: []\n", "network_types", "ice.network_types",
                        "at least one"),
                Arguments.of("bad candidate type", "ice:\n  candidate_types:\n    - host\n    - hots\n", "hots",
                        "ice.candidate_types[1]", "'hots' is not a candidate type"),
                Arguments.of("bad ICE URL", "ice:\n  urls: [\"http://stun.example.org\"]\n", "urls", "ice.urls[0]",
                        "invalid STUN/TURN URL"),
                Arguments.of("bad proxy mode", "interfaces:\n  wg0: {proxy: fast}\n", "proxy", "interfaces.wg0.proxy",
                        "expected auto, bind, user, raw, nftables or iptables"),
                Arguments.of("duplicate key", "mtu: 1400\nlisten_port: 1\nmtu: 1300\n", "mtu: 1300", "mtu", "duplicate key"),
                Arguments.of("daemon key per interface", "interfaces:\n  wg0:\n    backends: [grpc://a:1]\n", "backends",
                        "interfaces.wg0.backends", "daemon-wide setting"),
                Arguments.of("ICE key outside ice", "urls: [stun:a:3478]\n", "urls", "urls", "did you mean 'ice.urls'?"),
                Arguments.of("bad endpoint", "peers:\n  bob: {public_key: \"" + BOB + "\", endpoint: \"fe80::1:51820\"}\n",
                        "endpoint", "peers.bob.endpoint", "IPv6 address in brackets"),
                Arguments.of("bad address", "addresses:\n  - 10.0.0.1/24\n  - 10.0.0.300/24\n", "300", "addresses[1]",
                        "not an IP prefix"),
                Arguments.of("bad prefix", "interfaces:\n  wg0:\n    prefixes: [fc2f:9a4d::/32, 10.237.0.300/16]\n",
                        "prefixes", "interfaces.wg0.prefixes[1]", "not an IP prefix"),
                Arguments.of("prefix without host bits", "prefixes:\n  - 10.237.0.0/16\n  - 10.1.2.3/32\n", "10.1.2.3",
                        "prefixes[1]", "leaves no bits to derive an address in"),
                Arguments.of("mtu below 1280 with the default IPv6 prefix", "interfaces:\n  wg0:\n    mtu: 1200\n", "1200",
                        "interfaces.wg0.mtu", "mtu 1200 is below 1280, the least a link keeps IPv6 addresses at, but prefixes "
                                + "has the IPv6 prefix fc2f:9a4d:0:0:0:0:0:0/32 (a default)"),
                Arguments.of("IPv6 prefix written after a low mtu", "mtu: 1200\nprefixes: [10.1.0.0/16]\n"
                        + "interfaces:\n  wg0:\n    prefixes: [fd00::/16]\n", "fd00", "interfaces.wg0.prefixes",
                        "mtu 1200 (" + "/"),
                Arguments.of("bad whitelist key", "whitelist:\n  - " + BOB + "\n  - nokey\n", "nokey", "whitelist[1]",
                        "not a valid public key"),
                Arguments.of("bad blacklist key", "blacklist: [nokey]\n", "blacklist", "blacklist[0]", "not a valid public key"),
                Arguments.of("bad discover_peers", "discover_peers: sometimes\n", "discover_peers", "discover_peers",
                        "not a boolean"),
                Arguments.of("bad hostname", "hostname: \"my host\"\n", "hostname", "hostname", "is not a host name"),
                Arguments.of("list as a single value", "backends: grpc://a:1\n", "backends", "backends", "expected a list"),
                Arguments.of("map as a single value", "ice: stun:a:3478\n", "ice", "ice", "expected the ICE settings"),
                Arguments.of("cunicu setting we lack", "hooks: []\n", "hooks", "hooks", "does not support"),
                Arguments.of("bad pattern entry matching nothing", "interfaces:\n  \"x*\":\n    mtu: 10\n", "mtu",
                        "interfaces.x*.mtu", "10 is out of range"),
                Arguments.of("interface name too long", "interfaces:\n  averyveryverylongname: {}\n", "averyvery",
                        "interfaces.averyveryverylongname", "it must have 1 to 15 bytes, 'averyveryverylongname' has 21"),
                Arguments.of("bad log level", "log:\n  level: loud\n", "loud", "log.level", "not a log level"),
                Arguments.of("bad boolean", "userspace: maybe\n", "userspace", "userspace", "not a boolean"),
                Arguments.of("bad port range", "listen_port_range: {min: 52000, max: 51000}\n", "listen_port_range",
                        "listen_port_range", ":1:26) is greater than max 51000 ("),
                Arguments.of("bad backend", "backends: [\"nothing\"]\n", "backends", "backends[0]", "no scheme"),
                Arguments.of("keepalive too long", "peers:\n  bob: {public_key: \"" + BOB + "\", persistent_keepalive: 1d}\n",
                        "persistent_keepalive", "peers.bob.persistent_keepalive", "not a duration"),
                Arguments.of("same key twice", "peers:\n  bob: {public_key: \"" + BOB + "\"}\n  bob2: {public_key: \"" + BOB + "\"}\n",
                        "bob2", "peers.bob2.public_key", "the same public key as peer 'bob'"),
                Arguments.of("disconnected beyond the default failed timeout", "ice:\n  disconnected_timeout: 30s\n",
                        "disconnected", "ice.disconnected_timeout",
                        "failed_timeout (25000ms, the default) must not be shorter than disconnected_timeout (30000ms)"),
                Arguments.of("disconnected within the consent interval", "interfaces:\n  wg0:\n    ice: {disconnected_timeout: 1s}\n",
                        "disconnected", "interfaces.wg0.ice.disconnected_timeout",
                        "disconnected_timeout (1000ms) must be longer than the ICE consent interval (2000ms"),
                Arguments.of("check interval of ten years", "ice:\n  check_interval: 999999999999\n", "check_interval",
                        "ice.check_interval", "longer than ten years"),
                Arguments.of("reversed glob range in exclude", "ice:\n  interfaces_exclude: [\"wg*\", \"eth[z-a]\"]\n",
                        "interfaces_exclude", "ice.interfaces_exclude[1]", "the range z-a is reversed"),
                Arguments.of("reversed glob range in a key", "interfaces:\n  \"wg[9-0]\": {mtu: 1400}\n", "wg[9-0]",
                        "interfaces.wg[9-0]", "invalid glob \"wg[9-0]\": the range 9-0 is reversed"),
                Arguments.of("YAML tag", "listen_port: 1\nmtu: !!int 1400\n", "!!int", "mtu",
                        "YAML tags such as tag:yaml.org,2002:int are not supported"),
                Arguments.of("local YAML tag", "ice:\n  urls: !secret [stun:a:3478]\n", "!secret", "ice.urls",
                        "YAML tags such as !secret are not supported"),
                Arguments.of("merge key", "interfaces:\n  wg0:\n    <<: {mtu: 1400}\n", "<<", "interfaces.wg0",
                        "YAML merge keys (<<) are not supported"),
                Arguments.of("non-scalar key", "? [a, b]\n: 1\n", "[a, b]", "", "a key must be a plain name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void namesFileLineKeyAndProblem(String name, String yaml, String lineMarker, String keyPath, String problem) {
        Path file = ConfigTesting.write(dir, "bad.yaml", yaml, "rw-------");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of(), List.of()));
        assertThat(e).as(name).isNotNull();
        int expectedLine = lineOf(yaml, lineMarker);
        assertThat(e.source()).isEqualTo(file.toString());
        assertThat(e.line()).as(e.getMessage()).isEqualTo(expectedLine);
        assertThat(e.column()).as(e.getMessage()).isPositive();
        assertThat(e.keyPath()).as(e.getMessage()).isEqualTo(keyPath);
        assertThat(e.getMessage()).startsWith(file + ":" + expectedLine + ":" + e.column() + ": ");
        assertThat(e.getMessage()).contains(problem);
        if (!keyPath.isEmpty()) {
            assertThat(e.getMessage()).contains(": " + keyPath + ": ");
        }
    }

    private static int lineOf(String yaml, String marker) {
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(marker)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(marker);
    }

    @Test
    void secretValuesAreNeverEchoed() {
        String almost = PRIV.substring(0, 43) + "!";
        Path file = ConfigTesting.write(dir, "bad.yaml", "private_key: \"" + almost + "\"\n", "rw-------");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":1:")
                .hasMessageContaining("private_key: not a valid private key")
                .hasMessageNotContaining(almost.substring(0, 20));
        Path file2 = ConfigTesting.write(dir, "bad2.yaml", "private_key: [\"" + PRIV + "\"]\n", "rw-------");
        assertThatThrownBy(() -> ConfigLoader.load(file2, Map.of(), List.of()))
                .hasMessageContaining("expected a base64 private key, got a list")
                .hasMessageNotContaining(PRIV.substring(0, 20));
    }

    @Test
    void yamlSyntaxErrorsDoNotQuoteTheFile() {
        // snakeyaml's messages carry a snippet of the line, which may hold a key
        Path file = ConfigTesting.write(dir, "bad.yaml", "private_key: " + PRIV + "\n  : : [\n", "rw-------");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageNotContaining(PRIV.substring(0, 20));
    }

    @Test
    void inconsistentCombinationsOfPatternsAreReported() {
        String yaml = """
                interfaces:
                  "wg*": {listen_port_range: {min: 40000, max: 40010}}
                  "wg[0-9]": {listen_port_range: {min: 40020}}
                """;
        // each entry alone is fine (40020 is below the default max 51899) ...
        DaemonConfig c = ConfigLoader.parse(yaml, "t.yaml", Map.of(), List.of());
        assertThat(c.interfaceConfig("wgx").listenPortRange()).isEqualTo(new PortRange(40000, 40010));
        // ... but an interface both match is not, which is reported when it is asked for
        assertThatThrownBy(() -> c.interfaceConfig("wg1"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:2:30: interfaces.wg*.listen_port_range: min 40020 (t.yaml:3:40) is greater than max 40010 (t.yaml:2:48)"
                        + " (in the settings of wg1, merged from interfaces wg*, wg[0-9])");
        // and at load time when the interface is named outright
        assertThatThrownBy(() -> ConfigLoader.parse(yaml + "  wg1: {}\n", "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("min 40020 (t.yaml:3:40) is greater than max 40010 (t.yaml:2:48)");
    }

    @Test
    void failedTimeoutNotShorterThanDisconnected() {
        assertThatThrownBy(() -> ConfigLoader.parse("ice:\n  disconnected_timeout: 10s\n  failed_timeout: 5s\n", "t.yaml",
                Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:3:19: ice.failed_timeout: failed_timeout (5000ms) must not be shorter than disconnected_timeout (10000ms)");
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": no such file");
    }

    @Test
    void theRootMustBeAMap() {
        assertThatThrownBy(() -> ConfigLoader.parse("- a\n- b\n", "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:1:1: the configuration must be a map of settings (key: value), not a list");
    }

    @Test
    void aliasBombsAreRefused() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.toString(), "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("t.yaml:")
                .hasMessageContaining("more than 50 aliases to lists or maps");
    }

    @Test
    void aNestedBombWithFewAliasesReachesTheNodeLimit() {
        // 5 levels of 10: only 40 aliases, but 111111 nodes once expanded
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 5; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.toString(), "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("t.yaml:")
                .hasMessageContaining("expands to more than 100000 nodes (aliases?)");
    }

    @Test
    void explicitInterfaceNamesMustBeLinuxNames() {
        for (String bad : List.of(".", "..", "a b", "eth0:1", "a/b", "tab\\t", "sixteen-chars-xx", "äääääääää")) {
            assertThatThrownBy(() -> ConfigLoader.parse("interfaces:\n  \"" + bad + "\": {}\n", "t.yaml", Map.of(), List.of()))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("t.yaml:2:3: interfaces.")
                    .hasMessageContaining("is not a valid interface name");
        }
        assertThat(ConfigLoader.parse("interfaces:\n  eth0.100: {mtu: 1400}\n  \"wg-é\": {}\n", "t.yaml", Map.of(), List.of())
                .explicitInterfaces()).containsExactly("eth0.100", "wg-é");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("interfaces.\"..\".mtu=1400")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'..' is not a valid interface name");
    }

    @Test
    void loadedIceTimingsAreAcceptedByTheAgent() {
        DaemonConfig c = ConfigLoader.parse("ice: {disconnected_timeout: 30s, failed_timeout: 40s, check_interval: 50ms}\n",
                "t.yaml", Map.of(), List.of());
        org.cunicu4j.ice.IceConfig agent = c.interfaceConfig("wg0").ice().iceConfig().build();
        assertThat(agent.disconnectedTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(agent.failedTimeout()).isEqualTo(java.time.Duration.ofSeconds(40));
        assertThat(agent.checkInterval()).isEqualTo(java.time.Duration.ofMillis(50));
        // a pattern's merged timings are checked the same way
        assertThatThrownBy(() -> ConfigLoader.parse("ice: {failed_timeout: 40s}\ninterfaces:\n  \"wg*\": {ice: {disconnected_timeout: 41s}}\n",
                "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:3:39: interfaces.wg*.ice.disconnected_timeout: failed_timeout (40000ms) must not be shorter"
                        + " than disconnected_timeout (41000ms)");
    }

    @Test
    void globsAreCheckedInEveryPlace() {
        assertThatThrownBy(() -> ConfigLoader.parse("ice:\n  interfaces_exclude: [\"[z-a]\"]\n", "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:2:24: ice.interfaces_exclude[0]: invalid glob \"[z-a]\": the range z-a is reversed (write a-z)");
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of("CUNICU_ICE_INTERFACES_INCLUDE", "eth*,en[z-a]"), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment variable CUNICU_ICE_INTERFACES_INCLUDE: ice.interfaces_include[1]: invalid glob");
    }

    @Test
    void mergeKeysAreRefusedInOptionsAndNestedListsToo() {
        assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(), List.of("ice={<<: {username: u}}")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option -o ice: ice: YAML merge keys (<<) are not supported: write the keys out");
        assertThatThrownBy(() -> ConfigLoader.parse("base: &b {mtu: 1}\nx:\n  - a: 1\n    <<: *b\n", "t.yaml", Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:4:5: x[0]: YAML merge keys (<<) are not supported: write the keys out");
        // a plain << as a value or list item is just text
        assertThat(ConfigLoader.parse("ice: {username: \"<<\", password: <<}\n", "t.yaml", Map.of(), List.of())
                .interfaceDefaults().ice().password()).isEqualTo("<<");
    }
}
