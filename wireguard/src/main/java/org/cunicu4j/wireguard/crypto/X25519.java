package org.cunicu4j.wireguard.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) through the JDK's {@code XDH}. Stateless; allocates (handshake path only).
 */
public final class X25519 {
    private X25519() {}

    /**
     * X25519(scalar, u): the shared secret of a 32-byte private scalar and a 32-byte
     * little-endian public u-coordinate, or null when it is all zero (a low-order point),
     * which WireGuard rejects.
     */
    public static byte[] sharedSecret(byte[] privateScalar, byte[] publicU) {
        if (privateScalar.length != 32 || publicU.length != 32) {
            throw new IllegalArgumentException("X25519 takes 32-byte keys, got " + privateScalar.length + " and " + publicU.length);
        }
        try {
            KeyFactory f = KeyFactory.getInstance("X25519");
            var priv = f.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateScalar));
            byte[] be = new byte[32];
            for (int i = 0; i < 32; i++) {
                be[i] = publicU[31 - i];
            }
            be[0] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
            var pub = f.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(priv);
            ka.doPhase(pub, true);
            byte[] s = ka.generateSecret();
            int acc = 0;
            for (byte b : s) {
                acc |= b;
            }
            return acc == 0 ? null : s;
        } catch (java.security.InvalidKeyException e) {
            // the JDK refuses a shared secret of all zeros
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's X25519 failed", e);
        }
    }
}
