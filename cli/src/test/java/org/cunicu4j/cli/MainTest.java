package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    /** RFC 7748 section 6.1, Alice's key pair, in wg's base64. */
    private static final String ALICE_PRIVATE = b64("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final String ALICE_PUBLIC = b64("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");

    private static String b64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    @Test
    void versionPrintsOurVersionJavaAndOs() {
        CliRun r = CliRun.run("version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().lines().toList()).satisfiesExactly(
                l -> assertThat(l).matches("cunicu4j \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"),
                l -> assertThat(l).startsWith("Java " + Runtime.version().feature()),
                l -> assertThat(l).startsWith("OS " + System.getProperty("os.name")));
        assertThat(r.stderr()).isEmpty();
        assertThat(CliRun.run("--version").stdout()).isEqualTo(r.stdout());
    }

    @Test
    void genkeyPrintsAClampedPrivateKeyAndANewline() {
        CliRun r = CliRun.run("wg", "genkey");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).matches("[A-Za-z0-9+/]{43}=\n");
        byte[] k = Key.parsePrivate(r.stdout().strip()).bytes();
        assertThat(k[0] & 7).isZero();
        assertThat(k[31] & 0xC0).isEqualTo(0x40);
        assertThat(CliRun.run("wg", "genkey").stdout()).isNotEqualTo(r.stdout());
    }

    @Test
    void genpskPrintsThirtyTwoRandomBytes() {
        CliRun r = CliRun.run("wg", "genpsk");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).matches("[A-Za-z0-9+/]{43}=\n");
        assertThat(CliRun.run("wg", "genpsk").stdout()).isNotEqualTo(r.stdout());
    }

    @Test
    void pubkeyOfTheRfc7748KeyToleratingWhitespace() {
        for (String input : new String[] {ALICE_PRIVATE, ALICE_PRIVATE + "\n", ALICE_PRIVATE + " \r\n\n\t"}) {
            CliRun r = CliRun.withStdin(input, "wg", "pubkey");
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).isEqualTo(ALICE_PUBLIC + "\n");
            assertThat(r.stderr()).isEmpty();
        }
    }

    @Test
    void pubkeyRejectsBadInputWithExitCode1AndOneLine() {
        CliRun shortKey = CliRun.withStdin(ALICE_PRIVATE.substring(1) + "\n", "wg", "pubkey");
        assertThat(shortKey.exitCode()).isEqualTo(1);
        assertThat(shortKey.stdout()).isEmpty();
        assertThat(shortKey.stderr()).isEqualTo("pubkey: invalid private key on stdin: "
                + "key must be 44 base64 characters encoding 32 bytes, got 43 characters\n");

        CliRun empty = CliRun.withStdin("", "wg", "pubkey");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.stderr()).isEqualTo("pubkey: invalid private key on stdin: "
                + "key must be 44 base64 characters encoding 32 bytes, got 0 characters\n");

        CliRun notBase64 = CliRun.withStdin("this is certainly not a base64 private key!!\n", "wg", "pubkey");
        assertThat(notBase64.exitCode()).isEqualTo(1);
        assertThat(notBase64.stderr()).startsWith("pubkey: invalid private key on stdin: key must be 44")
                .doesNotContain("Exception").hasLineCount(1);

        CliRun huge = CliRun.withStdin("A".repeat(100_000), "wg", "pubkey");
        assertThat(huge.exitCode()).isEqualTo(1);
        assertThat(huge.stderr()).isEqualTo("pubkey: invalid private key on stdin: more than 4096 bytes\n");
    }

    @Test
    void unknownCommandIsAUsageErrorWithExitCode2() {
        CliRun r = CliRun.run("xyzzy"); // no bigram in common with any command, so picocli prints the usage, not "Did you mean"
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("Unmatched argument at index 0: 'xyzzy'").contains("Usage: cunicu4j");

        CliRun unknownOption = CliRun.run("wg", "genkey", "--bogus");
        assertThat(unknownOption.exitCode()).isEqualTo(2);
        assertThat(unknownOption.stderr()).contains("Unknown option: '--bogus'").contains("Usage: cunicu4j wg genkey");
    }

    @Test
    void missingSubcommandIsAUsageError() {
        CliRun none = CliRun.run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).contains("Missing required subcommand").contains("Usage: cunicu4j");
        CliRun wg = CliRun.run("wg");
        assertThat(wg.exitCode()).isEqualTo(2);
        assertThat(wg.stderr()).contains("Usage: cunicu4j wg");
    }

    @Test
    void helpGoesToStdoutWithExitCode0() {
        CliRun r = CliRun.run("wg", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("genkey").contains("pubkey").contains("genpsk");
    }

    @Test
    void genkeyWarnsWhenStdoutIsAWorldAccessibleFile(@TempDir Path dir) throws Exception {
        Path open = Files.createFile(dir.resolve("open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        Path closed = Files.createFile(dir.resolve("closed"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        CliRun warned = CliRun.runWithStdoutFile(open, "wg", "genkey");
        assertThat(warned.exitCode()).isZero();
        assertThat(warned.stderr()).isEqualTo(WorldAccessibleWarning.MESSAGE + "\n");
        assertThat(CliRun.runWithStdoutFile(open, "wg", "genpsk").stderr()).isEqualTo(WorldAccessibleWarning.MESSAGE + "\n");

        assertThat(CliRun.runWithStdoutFile(closed, "wg", "genkey").stderr()).isEmpty();
        assertThat(CliRun.runWithStdoutFile(dir, "wg", "genkey").stderr()).as("a directory is not a file").isEmpty();
    }
}
