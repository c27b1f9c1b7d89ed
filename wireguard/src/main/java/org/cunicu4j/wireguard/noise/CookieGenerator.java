package org.cunicu4j.wireguard.noise;

import static org.cunicu4j.wireguard.noise.Messages.*;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.crypto.Blake2s;
import org.cunicu4j.wireguard.crypto.XChaChaPoly;

/**
 * The initiator's side of WireGuard's cookies towards one peer: adds MAC1 (keyed with the
 * peer's public key) and, while a cookie from the peer is fresh, MAC2 to every handshake
 * message sent, and takes the cookie from the peer's cookie reply.
 *
 * <p>Thread-safe (this object's lock).
 */
public final class CookieGenerator {
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final long lifetimeNanos;
    private final byte[] lastMac1 = new byte[16];
    private boolean hasLastMac1;
    private byte[] cookie;
    private long cookieSet;

    public CookieGenerator(Key remoteStatic, long lifetimeNanos) {
        byte[] pub = remoteStatic.bytes();
        this.mac1Key = Blake2s.hash(LABEL_MAC1.getBytes(StandardCharsets.US_ASCII), pub);
        this.cookieKey = Blake2s.hash(LABEL_COOKIE.getBytes(StandardCharsets.US_ASCII), pub);
        this.lifetimeNanos = lifetimeNanos;
    }

    /** Fills the MAC1 and MAC2 fields of handshake message {@code msg[0..len)}. */
    public synchronized void addMacs(byte[] msg, int len, long nowNanos) {
        byte[] mac1 = Blake2s.mac(mac1Key, msg, 0, len - 32);
        System.arraycopy(mac1, 0, msg, len - 32, 16);
        System.arraycopy(mac1, 0, lastMac1, 0, 16);
        hasLastMac1 = true;
        if (cookie != null && nowNanos - cookieSet < lifetimeNanos) {
            byte[] mac2 = Blake2s.mac(cookie, msg, 0, len - 16);
            System.arraycopy(mac2, 0, msg, len - 16, 16);
        } else {
            Arrays.fill(msg, len - 16, len, (byte) 0);
        }
    }

    /**
     * Takes the cookie from reply {@code msg[0..64)} to our last message.
     *
     * @return false when it does not decrypt (not a reply to our last MAC1)
     */
    public synchronized boolean consumeReply(byte[] msg, long nowNanos) {
        if (!hasLastMac1) {
            return false;
        }
        byte[] nonce = Arrays.copyOfRange(msg, COOKIE_NONCE, COOKIE_NONCE + 24);
        byte[] sealed = Arrays.copyOfRange(msg, COOKIE_ENCRYPTED, COOKIE_ENCRYPTED + 32);
        byte[] c = XChaChaPoly.open(cookieKey, nonce, sealed, lastMac1);
        if (c == null) {
            return false;
        }
        cookie = c;
        cookieSet = nowNanos;
        hasLastMac1 = false;
        return true;
    }

    /** True while a cookie is fresh (tests). */
    public synchronized boolean hasCookie(long nowNanos) {
        return cookie != null && nowNanos - cookieSet < lifetimeNanos;
    }
}
