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
            "password, r--r--r--, 0444, group and others",
            "turn, rw-r--r--, 0644, group and others",
            "community, rw-r-----, 0640, its group"})
    void aReadableFileWithASecretIsRefusedWithTheFix(String secret, String perms, String mode, String readers) {
        String yaml = switch (secret) {
            case "private" -> "mtu: 1400\ninterfaces:\n  wg0:\n    private_key: " + PRIV + "\n";
            case "psk" -> "peers:\n  bob:\n    public_key: " + BOB + "\n    preshared_key: " + PSK + "\n";
            case "turn" -> "ice:\n  urls: [\"stun:s:3478\", \"turn:u:hunter2@h:3478\"]\n";
            case "community" -> "interfaces:\n  wg0:\n    community: hunter2 is our passphrase\n";
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
        assertThat(e.keyPath()).isIn("interfaces.wg0.private_key", "peers.bob.preshared_key", "ice.password", "ice.urls[1]",
                "interfaces.wg0.community");
        assertThat(e.line()).isPositive();
    }

    @Test
    void thePrivateFileLoadsAndSoDoesAReadableOneWithoutSecrets() {
        Path priv = ConfigTesting.write(dir, "a.yaml", "private_key: " + PRIV + "\n", "rw-------");
        assertThat(ConfigLoader.load(priv, Map.of(), List.of()).interfaceDefaults().privateKey()).isNotNull();
        Path owner = ConfigTesting.write(dir, "b.yaml", "private_key: " + PRIV + "\n", "r--------");
        assertThat(ConfigLoader.load(owner, Map.of(), List.of()).interfaceDefaults().privateKey()).isNotNull();
        Path open = ConfigTesting.write(dir, "c.yaml",
                "peers:\n  bob: {public_key: " + BOB + "}\nice: {username: u, password: ~}\nprivate_key:\ncommunity: \"\"\n",
                "rw-r--r--");
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
                community: communitysecret
                peers:
                  bob: {public_key: %s, preshared_key: %s}
                interfaces:
                  wg0: {}
                """.formatted(PRIV, BOB, PSK);
        DaemonConfig c = ConfigLoader.parse(yaml, "t.yaml", Map.of(), List.of());
        InterfaceConfig i = c.interfaceConfig("wg0");
        for (String s : List.of(c.toString(), i.toString(), i.ice().toString(), i.peers().get("bob").toString(),
                i.ice().gatherSettings().toString())) {
            assertThat(s).doesNotContain(PRIV.substring(0, 12), PSK.substring(0, 12), "icesecret", "turnsecret",
                    "communitysecret");
        }
        assertThat(i.toString()).contains("community=***");
        assertThat(InterfaceConfig.DEFAULT.toString()).contains("community=none");
        assertThat(i.toString()).contains("privateKey=***");
        assertThat(i.peers().get("bob").toString()).contains("presharedKey=***", "publicKey=" + BOB);
        assertThat(i.ice().toString()).contains("password=***", "username=alice", "turn:alice:***@turn.example.org");
        assertThat(c.toString()).contains("wg0=InterfaceConfig[privateKey=***");
        assertThat(InterfaceConfig.DEFAULT.toString()).contains("privateKey=none");
    }

    @Test
    void aFileOthersCanWriteIsRefusedWhateverItHolds() {
        Path file = ConfigTesting.write(dir, "w.yaml", "mtu: 1400\n", "rw--w--w-");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": writable by group and others (mode 0622, rw--w--w-): whoever can change it controls"
                        + " the daemon; run: chmod go-w " + file);
        Path group = ConfigTesting.write(dir, "g.yaml", "mtu: 1400\n", "rw-rw-r--");
        assertThatThrownBy(() -> ConfigLoader.load(group, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("writable by its group (mode 0664");
    }

    @Test
    void aTurnUrlWithCredentialsIsASecret() {
        Path file = ConfigTesting.write(dir, "t.yaml", "ice:\n  urls:\n    - turn:u:pw@h:3478\n", "rw-r--r--");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":3:7: ice.urls[0]: the file holds a TURN URL with a password but is readable by group"
                        + " and others (mode 0644, rw-r--r--); run: chmod 600 " + file);
        Path plain = ConfigTesting.write(dir, "p.yaml", "ice:\n  urls: [turn:h:3478]\n", "rw-r--r--");
        assertThat(ConfigLoader.load(plain, Map.of(), List.of()).interfaceDefaults().ice().urls()).hasSize(1);
    }

    @Test
    void aFileLargerThanFourMebibytesIsRefused() throws Exception {
        Path file = dir.resolve("big.yaml");
        byte[] comment = ("#" + "x".repeat(1022) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            for (int i = 0; i < 5 * 1024; i++) {
                out.write(comment);
            }
        }
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": larger than 4 MiB (5242880 bytes): not a configuration file");
        // exactly the limit still loads
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(file), ConfigLoader.MAX_FILE_BYTES));
        assertThat(ConfigLoader.load(file, Map.of(), List.of()).interfaceDefaults()).isEqualTo(InterfaceConfig.DEFAULT);
    }

    @Test
    void aFifoOrADirectoryIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.yaml");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("mkfifo not available: " + e);
            return;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo failed");
        // a blocking open would hang here: the guard fails the test instead
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> ConfigLoader.load(fifo, Map.of(), List.of()))
                        .isInstanceOf(ConfigException.class)
                        .hasMessage(fifo + ": not a regular file (a FIFO, socket or device)"));
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir + ": not a regular file (a directory)");
    }
}
