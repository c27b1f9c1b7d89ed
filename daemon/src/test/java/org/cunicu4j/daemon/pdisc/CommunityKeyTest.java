package org.cunicu4j.daemon.pdisc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

class CommunityKeyTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * Raw Argon2id outputs computed once, outside this project, with the reference
     * implementation's CLI (Debian package argon2 0~20171227-0.3+deb12u1):
     * {@code echo -n "PASSPHRASE" | argon2 "w1c3c0nn3cts3veryb0dy" -id -t 1 -k 65536 -p 4 -l 32 -r}
     * (the shell passes the passphrase as UTF-8 bytes). The public keys are {@code wg pubkey}
     * of the base64 of the clamped raw output (clamping done here, in {@link #clamp}).
     */
    private static final String[][] VECTORS = {
        {"some-common-password", "7145689b4bad4de35c0d8dcf4c2b016dcc4efe3124cbb2ea03c850dbb1c7df93",
            "kuyoudGY+3lRgWrEVCBOVePAnhSz5XbKGgjVuVHCzWM="},
        {"mysecret-pass", "0d90f00185371a76ba5bf1b61e495c8ba42c7f5b42befbc7718851120bb6f849",
            "sMtdHGZv7Chy5vPVYnFbI4KL+cWCrddEVCumIszzMX8="},
        {"w1c3 community \u00e4", "878421bc3d6030411d9fa5f612479ab9421f0ba1f5d21f8a453e39088b9a2c2b",
            "XLcTgpuh31z8Qfaiv0cZ67Mp29/IRge4CXNb6eFnlF0="},
    };

    /** RFC 7748 clamping, written out here rather than calling the production helper. */
    private static byte[] clamp(byte[] raw) {
        byte[] k = raw.clone();
        k[0] = (byte) (k[0] & 0xf8);
        k[31] = (byte) ((k[31] & 0x7f) | 0x40);
        return k;
    }

    @Test
    void derivesTheArgon2idVectorsOfTheReferenceCliClamped() {
        for (String[] v : VECTORS) {
            Key key = CommunityKey.derive(v[0]);
            assertThat(key.type()).isEqualTo(Key.Type.PRIVATE);
            assertThat(HEX.formatHex(key.bytes())).as("private key of %s", v[0])
                    .isEqualTo(HEX.formatHex(clamp(HEX.parseHex(v[1]))));
            assertThat(key.publicKey().toBase64()).as("public key of %s", v[0]).isEqualTo(v[2]);
        }
    }

    @Test
    void clampingChangedTheRawOutputOfTheVectors() {
        // guards the vectors above: each raw output needed clamping, so a missing clamp would fail
        for (String[] v : VECTORS) {
            byte[] raw = HEX.parseHex(v[1]);
            assertThat(clamp(raw)).as(v[0]).isNotEqualTo(raw);
        }
    }

    @Test
    void rfc9106Argon2idTestVector() {
        // RFC 9106 section 5.3: Argon2id v=0x13, m=32 KiB, t=3, p=4, password 32 x 0x01,
        // salt 16 x 0x02, secret 8 x 0x03, associated data 12 x 0x04, tag length 32
        byte[] tag = CommunityKey.argon2id(fill(32, 0x01), fill(16, 0x02), fill(8, 0x03), fill(12, 0x04), 3, 32, 4, 32);
        assertThat(HEX.formatHex(tag))
                .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    @Test
    void referenceReadmeVectorThroughTheSameCall() {
        // the reference implementation's README example, also reproduced with the CLI:
        // echo -n "password" | argon2 somesalt -id -t 2 -k 65536 -p 1 -l 32 -r
        byte[] tag = CommunityKey.argon2id("password".getBytes(StandardCharsets.US_ASCII),
                "somesalt".getBytes(StandardCharsets.US_ASCII), null, null, 2, 65536, 1, 32);
        assertThat(HEX.formatHex(tag))
                .isEqualTo("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7");
    }

    @Test
    void refusesAnEmptyPassphrase() {
        assertThatThrownBy(() -> CommunityKey.derive("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    private static byte[] fill(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
