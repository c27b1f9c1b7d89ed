package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;

/** Our {@code wg genkey|pubkey|genpsk} against the real {@code wg} tool. */
@RequiresTools("wg")
class WgCompatibilityTest {

    private static String wg(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of("wg"));
        cmd.addAll(List.of(args));
        Exec.Result r = Exec.run(Exec.DEFAULT_TIMEOUT, cmd, new HashMap<>(), stdin);
        assertThat(r.exitCode()).as("wg %s: %s", String.join(" ", args), r.stderr()).isZero();
        return r.stdout();
    }

    @Test
    void ourGenkeyThroughOurPubkeyEqualsWgPubkey() {
        for (int i = 0; i < 5; i++) {
            String privateKey = CliRun.run("wg", "genkey").stdout();
            CliRun ours = CliRun.withStdin(privateKey, "wg", "pubkey");
            assertThat(ours.exitCode()).isZero();
            assertThat(ours.stdout()).isEqualTo(wg(privateKey, "pubkey"));
        }
    }

    @Test
    void wgGenkeyThroughOurPubkeyEqualsWgPubkey() {
        for (int i = 0; i < 5; i++) {
            String privateKey = wg("", "genkey");
            assertThat(CliRun.withStdin(privateKey, "wg", "pubkey").stdout()).isEqualTo(wg(privateKey, "pubkey"));
        }
    }

    /** Keys made once with {@code wg genkey} and their {@code wg pubkey}, pinned. */
    @Test
    void fixedKeysFromWgGenkey() {
        String[][] pairs = {
            {"mI4pgEW5Qdk7hO+KZTu3fsF3HtCyN2m0iiz+aZMK80E=", "blDbInG4nl0+q4sHzOvILyyLiRyVPLgab9lskR1NQnw="},
            {"GFjPivddI6LZQE5ms4fHFO0MyZnwiJkLFYXiJfFe60M=", "k2HWoZhpPMgvDlK1//3+j2n5TNUGW3O+qYrLXcwZgFc="},
            {"WIrva53wwqUSv3VVfTnwsm+hCAcQioDK4n6im4Ig1VE=", "1Gnu+xKULZvvtg/RDt7sK8kzTMgqpleMKFr7WKOO1y8="},
        };
        for (String[] pair : pairs) {
            assertThat(CliRun.withStdin(pair[0] + "\n", "wg", "pubkey").stdout()).isEqualTo(pair[1] + "\n");
            assertThat(wg(pair[0] + "\n", "pubkey")).isEqualTo(pair[1] + "\n");
        }
    }

    @Test
    void unclampedPrivateKeysGiveTheSamePublicKeyAsWg() {
        // 32 bytes of 0xFF: not clamped; wg clamps before the scalar multiplication, so must we
        String unclamped = "//////////////////////////////////////////8=";
        assertThat(CliRun.withStdin(unclamped, "wg", "pubkey").stdout()).isEqualTo(wg(unclamped, "pubkey"));
    }

    @Test
    void weRejectWhatWgRejects() {
        String valid = wg("", "genkey").strip();
        for (String bad : new String[] {valid.substring(1), valid.substring(0, 42) + "B=", valid.substring(0, 43) + "A", ""}) {
            Exec.Result theirs = Exec.run(Exec.DEFAULT_TIMEOUT, List.of("wg", "pubkey"), new HashMap<>(), bad + "\n");
            assertThat(theirs.exitCode()).as("wg rejects %s", bad).isNotZero();
            assertThat(CliRun.withStdin(bad + "\n", "wg", "pubkey").exitCode()).as("we reject %s", bad).isEqualTo(1);
        }
    }

    @Test
    void wgAcceptsOurPresharedKeys() {
        String psk = CliRun.run("wg", "genpsk").stdout();
        // wg pubkey parses any 32-byte key; it must accept our base64 form
        assertThat(wg(psk, "pubkey")).matches("[A-Za-z0-9+/]{43}=\n");
    }
}
