package org.cunicu4j.testlab.mesh;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.Base64;

/**
 * A WireGuard key pair made with the JDK's X25519 (no {@code wg genkey} process): the private
 * key clamped as {@code wg genkey} prints it, both in WireGuard's base64. {@link #toString()}
 * shows only the public key. Immutable.
 *
 * @param privateKey the private key, base64; write it only to files of mode 0600
 * @param publicKey the public key, base64
 */
public record MeshKeys(String privateKey, String publicKey) {

    /** A fresh random key pair. */
    public static MeshKeys generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] scalar = ((XECPrivateKey) kp.getPrivate()).getScalar()
                    .orElseThrow(() -> new IllegalStateException("the JDK's X25519 key has no scalar"));
            scalar[0] &= (byte) 248;
            scalar[31] &= 127;
            scalar[31] |= 64;
            byte[] pub = littleEndian(((XECPublicKey) kp.getPublic()).getU());
            Base64.Encoder b64 = Base64.getEncoder();
            return new MeshKeys(b64.encodeToString(scalar), b64.encodeToString(pub));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this JDK", e);
        }
    }

    private static byte[] littleEndian(BigInteger u) {
        byte[] big = u.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < big.length; i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "MeshKeys[publicKey=" + publicKey + ", privateKey=(hidden)]";
    }
}
