package org.cunicu4j.daemon.epdisc;

import org.cunicu4j.wireguard.Key;

/** How logs and events name a peer: the first 8 base64 characters of its public key. */
final class Keys {
    private Keys() {}

    static String shortKey(Key publicKey) {
        return publicKey.type() != Key.Type.PUBLIC ? "redacted" : publicKey.toBase64().substring(0, 8);
    }
}
