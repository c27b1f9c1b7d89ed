package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

/**
 * {@code cunicu4j addresses}. The expected addresses of RFC 7748's Alice are the ones
 * daemon's DerivedAddressesTest checks against its independent SipHash; the odd prefixes
 * were worked out by hand from the hash bytes those show (0c07d49c5e0ed958ab59e67a...).
 */
class AddressesCommandTest {
    private static final String ALICE = Key.of(
            HexFormat.of().parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), Key.Type.PUBLIC)
            .toBase64();

    @Test
    void printsTheDefaultPrefixesAddressesToleratingWhitespace() {
        for (String input : new String[] {ALICE, ALICE + "\n", "  " + ALICE + " \r\n\t"}) {
            CliRun r = CliRun.withStdin(input, "addresses");
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).isEqualTo("fc2f:9a4d:c07:d49c:5e0e:d958:ab59:e67a/32\n10.237.12.7/16\n");
            assertThat(r.stderr()).isEmpty();
        }
    }

    @Test
    void givenPrefixesReplaceTheDefaultsInTheirOrder() {
        CliRun r = CliRun.withStdin(ALICE + "\n", "addresses", "--prefix", "10.240.0.0/20", "-p", "fd00:1:2:3::/100",
                "--prefix=10.16.0.0/12", "-p", "10.1.2.3/32");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("10.240.0.192/20\nfd00:1:2:3::c0:7d49/100\n10.16.192.125/12\n10.1.2.3/32\n");
    }

    @Test
    void aBadKeyIsOneLineAndExitCode1LikeWgPubkey() {
        CliRun shortKey = CliRun.withStdin(ALICE.substring(1), "addresses");
        assertThat(shortKey.exitCode()).isEqualTo(1);
        assertThat(shortKey.stdout()).isEmpty();
        assertThat(shortKey.stderr()).isEqualTo("addresses: invalid public key on stdin: "
                + "key must be 44 base64 characters encoding 32 bytes, got 43 characters\n");

        CliRun empty = CliRun.withStdin("", "addresses");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.stderr()).endsWith("got 0 characters\n");

        CliRun twoKeys = CliRun.withStdin(ALICE + "\n" + ALICE + "\n", "addresses");
        assertThat(twoKeys.exitCode()).isEqualTo(1);
        assertThat(twoKeys.stderr()).hasLineCount(1).doesNotContain("Exception");

        CliRun huge = CliRun.withStdin("A".repeat(100_000), "addresses");
        assertThat(huge.exitCode()).isEqualTo(1);
        assertThat(huge.stderr()).isEqualTo("addresses: invalid public key on stdin: more than 4096 bytes\n");
    }

    @Test
    void aBadPrefixIsAUsageErrorWithExitCode2NamingIt() {
        CliRun r = CliRun.withStdin(ALICE, "addresses", "--prefix", "10.0.0.0/33");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("Invalid value for option '--prefix'")
                .contains("'10.0.0.0/33' is not an IP prefix: length 33 exceeds 32")
                .contains("Usage: cunicu4j addresses");

        CliRun name = CliRun.withStdin(ALICE, "addresses", "-p", "example.com/16");
        assertThat(name.exitCode()).isEqualTo(2);
        assertThat(name.stderr()).contains("'example.com/16' is not an IP prefix");
    }

    @Test
    void isListedInTheHelp() {
        CliRun r = CliRun.run("--help");
        assertThat(r.stdout()).contains("addresses");
        CliRun own = CliRun.run("addresses", "--help");
        assertThat(own.exitCode()).isZero();
        assertThat(own.stdout()).contains("--prefix=PREFIX").contains("public key from stdin");
    }
}
