package org.cunicu4j.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HexFormat;
import org.cunicu4j.wireguard.Key.Type;
import org.junit.jupiter.api.Test;

class KeyTest {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 7748 section 6.1: Alice's private key and the public key X25519(a, 9). */
    @Test
    void rfc7748AlicesPublicKey() {
        Key alice = Key.of(HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), Type.PRIVATE);
        Key pub = alice.publicKey();
        assertThat(HEX.formatHex(pub.bytes()))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(pub.type()).isEqualTo(Type.PUBLIC);
    }

    /** RFC 7748 section 6.1: Bob's pair as a second vector. */
    @Test
    void rfc7748BobsPublicKey() {
        Key bob = Key.of(HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"), Type.PRIVATE);
        assertThat(HEX.formatHex(bob.publicKey().bytes()))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    }

    @Test
    void generatedPrivateKeysAreClampedAndDistinct() {
        for (int i = 0; i < 50; i++) {
            byte[] k = Key.generatePrivate().bytes();
            assertThat(k[0] & 7).isZero();
            assertThat(k[31] & 0x80).isZero();
            assertThat(k[31] & 0x40).isEqualTo(0x40);
        }
        assertThat(Key.generatePrivate()).isNotEqualTo(Key.generatePrivate());
        assertThat(Key.generatePreshared().type()).isEqualTo(Type.PRESHARED);
        assertThat(Key.generatePreshared()).isNotEqualTo(Key.generatePreshared());
    }

    @Test
    void clampingDoesNotChangeThePublicKey() {
        byte[] raw = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] unclamped = raw.clone();
        unclamped[0] |= 7;
        unclamped[31] |= (byte) 0x80;
        assertThat(Key.of(unclamped, Type.PRIVATE).publicKey()).isEqualTo(Key.of(raw, Type.PRIVATE).publicKey());
    }

    @Test
    void base64RoundTrip() {
        Key k = Key.generatePrivate();
        String b64 = k.toBase64();
        assertThat(b64).hasSize(44).endsWith("=");
        assertThat(Key.parsePrivate(b64)).isEqualTo(k);
        assertThat(Key.parsePublic(b64)).isNotEqualTo(k);
        assertThat(Key.parsePreshared(b64).type()).isEqualTo(Type.PRESHARED);
    }

    @Test
    void parseRejectsWithClearMessages() {
        String valid = Key.generatePrivate().toBase64();
        assertThatThrownBy(() -> Key.parsePrivate(valid.substring(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must be 44 base64 characters encoding 32 bytes, got 43 characters");
        assertThatThrownBy(() -> Key.parsePrivate(""))
                .hasMessage("key must be 44 base64 characters encoding 32 bytes, got 0 characters");
        assertThatThrownBy(() -> Key.parsePrivate("-" + valid.substring(1)))
                .hasMessage("key must be 44 base64 characters encoding 32 bytes, got '-' at index 0, which is not a base64 character");
        assertThatThrownBy(() -> Key.parsePrivate(valid.substring(0, 43) + "A"))
                .hasMessage("key must be 44 base64 characters encoding 32 bytes, got no '=' padding at the end");
        assertThatThrownBy(() -> Key.parsePrivate(valid.substring(0, 43) + "\n"))
                .hasMessageContaining("got no '=' padding");
        assertThatThrownBy(() -> Key.parsePrivate(valid.substring(0, 10) + " " + valid.substring(11)))
                .hasMessageContaining("U+0020 at index 10");
        // 'B' has low bits 01: the 33rd byte would not be zero, wg rejects it too
        assertThatThrownBy(() -> Key.parsePrivate(valid.substring(0, 42) + "B="))
                .hasMessageContaining("non-canonical");
        assertThatThrownBy(() -> Key.of(new byte[31], Type.PUBLIC))
                .hasMessage("key must be 32 bytes, got 31");
    }

    @Test
    void errorsNeverEchoTheKey() {
        String valid = Key.generatePrivate().toBase64();
        String wrong = valid.substring(0, 20) + "!" + valid.substring(21);
        assertThatThrownBy(() -> Key.parsePrivate(wrong)).message().doesNotContain(valid.substring(0, 20));
    }

    @Test
    void toStringRedactsSecretsAndShortensPublicKeys() {
        Key priv = Key.generatePrivate();
        assertThat(priv.toString()).isEqualTo("Key[redacted]");
        assertThat(Key.generatePreshared().toString()).isEqualTo("Key[redacted]");
        Key pub = priv.publicKey();
        assertThat(pub.toString()).isEqualTo("Key[public " + pub.toBase64().substring(0, 8) + "…]");
    }

    @Test
    void valueSemantics() {
        byte[] raw = new byte[32];
        raw[5] = 1;
        Key a = Key.of(raw, Type.PUBLIC);
        raw[5] = 2;
        Key b = Key.of(new byte[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, Type.PUBLIC);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        a.bytes()[5] = 9;
        assertThat(a).isEqualTo(b);
        byte[] dst = new byte[40];
        a.copyTo(dst, 8);
        assertThat(dst[13]).isEqualTo((byte) 1);
        assertThatThrownBy(a::publicKey).isInstanceOf(IllegalStateException.class);
        assertThat(Base64.getDecoder().decode(a.toBase64())).isEqualTo(b.bytes());
    }
}
