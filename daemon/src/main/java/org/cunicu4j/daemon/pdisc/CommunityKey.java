package org.cunicu4j.daemon.pdisc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.cunicu4j.wireguard.Key;

/**
 * The community key of peer discovery, as cunīcu derives it: Argon2id (version 0x13) of the
 * community passphrase (its UTF-8 bytes) with the salt {@code "w1c3c0nn3cts3veryb0dy"},
 * t = 1 pass, m = 64 MiB, p = 4 lanes, 32 bytes of output, clamped as an X25519 private key.
 * Members seal their descriptions to its public key and open the community topic with it.
 *
 * <p>Stateless and thread-safe. A derivation takes 64 MiB of heap and a fraction of a
 * second of CPU: derive once per interface (and per passphrase change), not per message.
 */
public final class CommunityKey {

    /** The Argon2id salt: cunīcu's constant, ASCII. */
    public static final String SALT = "w1c3c0nn3cts3veryb0dy";
    /** Argon2id passes. */
    public static final int ITERATIONS = 1;
    /** Argon2id memory in KiB (64 MiB). */
    public static final int MEMORY_KIB = 64 * 1024;
    /** Argon2id lanes. */
    public static final int PARALLELISM = 4;
    /** Bytes of output: one X25519 private key. */
    public static final int LENGTH = Key.LENGTH;

    private CommunityKey() {
    }

    /**
     * The community's private key for {@code passphrase}.
     *
     * @throws IllegalArgumentException when the passphrase is empty (cunīcu treats an unset
     *     community as "peer discovery off"; an empty one would be a key everybody knows)
     */
    public static Key derive(String passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        if (passphrase.isEmpty()) {
            throw new IllegalArgumentException("the community passphrase is empty");
        }
        byte[] password = passphrase.getBytes(StandardCharsets.UTF_8);
        byte[] raw = argon2id(password, SALT.getBytes(StandardCharsets.US_ASCII), null, null, ITERATIONS, MEMORY_KIB,
                PARALLELISM, LENGTH);
        Arrays.fill(password, (byte) 0);
        clamp(raw);
        Key key = Key.of(raw, Key.Type.PRIVATE);
        Arrays.fill(raw, (byte) 0);
        return key;
    }

    /**
     * Raw Argon2id (version 0x13) by BouncyCastle, exposed to the package so the RFC 9106
     * test vector (which uses a secret and associated data) runs through the same call.
     *
     * @param secret the optional key K, or null
     * @param associatedData the optional associated data X, or null
     */
    static byte[] argon2id(byte[] password, byte[] salt, byte[] secret, byte[] associatedData, int iterations,
            int memoryKiB, int parallelism, int length) {
        Argon2Parameters.Builder params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withIterations(iterations)
                .withMemoryAsKB(memoryKiB)
                .withParallelism(parallelism);
        if (secret != null) {
            params.withSecret(secret);
        }
        if (associatedData != null) {
            params.withAdditional(associatedData);
        }
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params.build());
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }

    /** RFC 7748 clamping of an X25519 scalar, in place. */
    static void clamp(byte[] scalar) {
        scalar[0] &= (byte) 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
    }
}
