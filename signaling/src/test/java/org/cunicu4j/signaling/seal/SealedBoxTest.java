package org.cunicu4j.signaling.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

/**
 * Known answers from the NaCl distribution's tests: scalarmult (RFC 7748 Alice and Bob),
 * core1 (HSalsa20 of the shared secret = "firstkey" = crypto_box_beforenm), box.c (Alice
 * seals to Bob) and box2.c (Bob opens). NaCl's C output carries 16 leading zero bytes;
 * the expected box below is without them, as Go's box.Seal produces it.
 */
class SealedBoxTest {

    private static final HexFormat HEX = HexFormat.of();

    static final byte[] ALICE_SK = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    static final byte[] ALICE_PK = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    static final byte[] BOB_SK = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    static final byte[] BOB_PK = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    static final byte[] SHARED = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    static final byte[] FIRSTKEY = HEX.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    static final byte[] NONCE = HEX.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    static final byte[] MESSAGE = HEX.parseHex(
            "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c6129"
            + "6cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde"
            + "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705");
    static final byte[] BOX = HEX.parseHex(
            "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186a"
            + "c0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae"
            + "90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74"
            + "e355a5");

    @Test
    void publicKeysMatchScalarmultVectors() {
        assertThat(Key.of(ALICE_SK, Key.Type.PRIVATE).publicKey().bytes()).isEqualTo(ALICE_PK);
        assertThat(Key.of(BOB_SK, Key.Type.PRIVATE).publicKey().bytes()).isEqualTo(BOB_PK);
    }

    @Test
    void x25519SharedSecretMatchesBothWays() {
        assertThat(SealedBox.x25519(ALICE_SK, BOB_PK)).isEqualTo(SHARED);
        assertThat(SealedBox.x25519(BOB_SK, ALICE_PK)).isEqualTo(SHARED);
    }

    @Test
    void hsalsa20OfSharedSecretIsFirstkey() {
        byte[] out = new byte[32];
        SealedBox.hsalsa20(out, new byte[16], SHARED);
        assertThat(out).isEqualTo(FIRSTKEY);
    }

    @Test
    void beforenmIsFirstkeyFromEitherSide() {
        assertThat(SealedBox.sharedKey(BOB_PK, ALICE_SK)).isEqualTo(FIRSTKEY);
        assertThat(SealedBox.sharedKey(ALICE_PK, BOB_SK)).isEqualTo(FIRSTKEY);
    }

    @Test
    void aliceSealsTheKnownBox() {
        assertThat(SealedBox.seal(MESSAGE, NONCE, BOB_PK, ALICE_SK)).isEqualTo(BOX);
        assertThat(SealedBox.sealWithKey(MESSAGE, NONCE, FIRSTKEY)).isEqualTo(BOX);
    }

    @Test
    void bobOpensTheKnownBox() {
        assertThat(SealedBox.open(BOX, NONCE, ALICE_PK, BOB_SK)).isEqualTo(MESSAGE);
        assertThat(SealedBox.openWithKey(BOX, NONCE, FIRSTKEY)).isEqualTo(MESSAGE);
    }

    @Test
    void anotherKeyCannotOpen() {
        byte[] eveSk = Key.generatePrivate().bytes();
        assertThat(SealedBox.open(BOX, NONCE, ALICE_PK, eveSk)).isNull();
        assertThat(SealedBox.open(BOX, NONCE, Key.generatePrivate().publicKey().bytes(), BOB_SK)).isNull();
    }

    @Test
    void everyFlippedBitIsDetected() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 200; i++) {
            byte[] box = BOX.clone();
            byte[] nonce = NONCE.clone();
            int position = random.nextInt(box.length + nonce.length);
            int bit = 1 << random.nextInt(8);
            if (position < box.length) {
                box[position] ^= (byte) bit;
            } else {
                nonce[position - box.length] ^= (byte) bit;
            }
            assertThat(SealedBox.open(box, nonce, ALICE_PK, BOB_SK))
                    .as("seed %d, flip bit %d at position %d", seed, bit, position)
                    .isNull();
        }
    }

    @Test
    void roundTripsRandomMessagesOfAllShortLengths() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int length = 0; length < 130; length++) {
            byte[] message = new byte[length];
            byte[] nonce = new byte[24];
            random.nextBytes(message);
            random.nextBytes(nonce);
            byte[] box = SealedBox.seal(message, nonce, BOB_PK, ALICE_SK);
            assertThat(box).as("seed %d length %d", seed, length).hasSize(16 + length);
            assertThat(SealedBox.open(box, nonce, ALICE_PK, BOB_SK)).as("seed %d length %d", seed, length)
                    .isEqualTo(message);
        }
    }

    @Test
    void smallOrderPublicKeyIsRefused() {
        assertThatThrownBy(() -> SealedBox.sharedKey(new byte[32], ALICE_SK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X25519");
    }

    @Test
    void badLengthsAreRefused() {
        assertThatThrownBy(() -> SealedBox.seal(MESSAGE, new byte[23], BOB_PK, ALICE_SK))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("nonce must be 24 bytes, got 23");
        assertThatThrownBy(() -> SealedBox.openWithKey(new byte[15], NONCE, FIRSTKEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> SealedBox.sharedKey(new byte[31], ALICE_SK))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("public key must be 32 bytes, got 31");
    }
}
