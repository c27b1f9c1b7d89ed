package org.cunicu4j.wireguard.noise;

import java.nio.charset.StandardCharsets;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.crypto.Blake2s;

/**
 * A device's static key pair and what derives from it: the MAC1 key and the cookie key
 * peers use towards this device. Immutable; replaced as a whole when the private key changes.
 */
public final class StaticIdentity {
    final byte[] privateKey;
    final byte[] publicKey;
    final byte[] mac1Key;
    final byte[] cookieKey;

    public StaticIdentity(Key privateKey) {
        this.privateKey = privateKey.bytes();
        this.publicKey = privateKey.publicKey().bytes();
        this.mac1Key = Blake2s.hash(Messages.LABEL_MAC1.getBytes(StandardCharsets.US_ASCII), publicKey);
        this.cookieKey = Blake2s.hash(Messages.LABEL_COOKIE.getBytes(StandardCharsets.US_ASCII), publicKey);
    }

    /** A copy of the public key bytes. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public String toString() {
        return "StaticIdentity[" + Key.of(publicKey, Key.Type.PUBLIC) + "]";
    }
}
