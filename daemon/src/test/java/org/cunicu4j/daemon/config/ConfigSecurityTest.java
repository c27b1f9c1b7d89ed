package org.cunicu4j.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.daemon.config.ConfigTesting.BOB;
import static org.cunicu4j.daemon.config.ConfigTesting.PRIV;
import static org.cunicu4j.daemon.config.ConfigTesting.PSK;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A file with secrets must be private; no configuration type prints a secret. */
class ConfigSecurityTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} with mode {1}")
    @CsvSource({
            "private, rw-r--r--, 0644, group and others",
            "private, rw-r-----, 0640, its group",
            "psk, rw----r--, 0604, others",
            "password, rw-rw-r--, 0664, group and others"})
    void aReadableFileWithASecretIsRefusedWithTheFix(String secret, String perms, String mode, String readers) {
        String yaml = switch (secret) {
            case "private" -> "mtu: 1400\ninterfaces:\n  wg0:\n    private_key: " + PRIV + "\n";
            case "psk" -> "peers:\n  bob:\n    public_key: " + BOB + "\n    preshared_key: " + PSK + "\n";
            default -> "ice:\n  username: u\n  password: hunter2\n";
        };
        Path file = ConfigTesting.write(dir, "secret.yaml", yaml, perms);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("readable by " + readers + " (mode " + mode + ", " + perms + ")")
                .hasMessageEndingWith("run: chmod 600 " + file)
                .hasMessageNotContaining(PRIV.substring(0, 10))
                .hasMessageNotContaining(PSK.substring(0, 10))
                .hasMessageNotContaining("hunter2");
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(
                () -> ConfigLoader.load(file, Map.of(), List.of()));
        assertThat(e.keyPath()).isIn("interfaces.wg0.private_key", "peers.bob.preshared_key", "ice.password");
        assertThat(e.line()).isPositive();
    }

    @Test
    void thePrivateFileLoadsAndSoDoesAReadableOneWithoutSecrets() {
        Path priv = ConfigTesting.write(dir, "a.yaml", "private_key: " + PRIV + "\n", "rw-------");
        assertThat(ConfigLoader.load(priv, Map.of(), List.of()).interfaceDefaults().privateKey()).isNotNull();
        Path owner = ConfigTesting.write(dir, "b.yaml", "private_key: " + PRIV + "\n", "r--------");
        assertThat(ConfigLoader.load(owner, Map.of(), List.of()).interfaceDefaults().privateKey()).isNotNull();
        Path open = ConfigTesting.write(dir, "c.yaml",
                "peers:\n  bob: {public_key: " + BOB + "}\nice: {username: u, password: ~}\nprivate_key:\n", "rw-r--r--");
        assertThat(ConfigLoader.load(open, Map.of(), List.of()).interfaceDefaults().peers()).hasSize(1);
    }

    @Test
    void secretsFromTheEnvironmentOrOptionsNeedNoFileCheck() {
        Path open = ConfigTesting.write(dir, "c.yaml", "mtu: 1400\n", "rw-r--r--");
        DaemonConfig c = ConfigLoader.load(open, Map.of("CUNICU_PRIVATE_KEY", PRIV), List.of("ice.password=x"));
        assertThat(c.interfaceDefaults().privateKey()).isNotNull();
    }

    @Test
    void toStringMasksEverySecret() {
        String yaml = """
                private_key: %s
                ice:
                  urls: ["turn:alice:turnsecret@turn.example.org:3478"]
                  username: alice
                  password: icesecret
                peers:
                  bob: {public_key: %s, preshared_key: %s}
                interfaces:
                  wg0: {}
                """.formatted(PRIV, BOB, PSK);
        DaemonConfig c = ConfigLoader.parse(yaml, "t.yaml", Map.of(), List.of());
        InterfaceConfig i = c.interfaceConfig("wg0");
        for (String s : List.of(c.toString(), i.toString(), i.ice().toString(), i.peers().get("bob").toString(),
                i.ice().gatherSettings().toString())) {
            assertThat(s).doesNotContain(PRIV.substring(0, 12), PSK.substring(0, 12), "icesecret", "turnsecret");
        }
        assertThat(i.toString()).contains("privateKey=***");
        assertThat(i.peers().get("bob").toString()).contains("presharedKey=***", "publicKey=" + BOB);
        assertThat(i.ice().toString()).contains("password=***", "username=alice", "turn:alice:***@turn.example.org");
        assertThat(c.toString()).contains("wg0=InterfaceConfig[privateKey=***");
        assertThat(InterfaceConfig.DEFAULT.toString()).contains("privateKey=none");
    }
}
