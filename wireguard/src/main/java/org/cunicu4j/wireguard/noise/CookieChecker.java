package org.cunicu4j.wireguard.noise;

import static org.cunicu4j.wireguard.noise.Messages.*;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.cunicu4j.wireguard.crypto.Blake2s;
import org.cunicu4j.wireguard.crypto.XChaChaPoly;

/**
 * The responder's side of WireGuard's cookies (whitepaper §5.4.7): checks MAC1 of incoming
 * handshake messages with the device's own MAC1 key, checks MAC2 against the cookie of the
 * source address under load, and makes cookie replies. The cookie secret is random and
 * rotates every {@code refreshNanos}.
 *
 * <p>Thread-safe (the secret under this object's lock).
 */
public final class CookieChecker {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StaticIdentity identity;
    private final long refreshNanos;
    private final byte[] secret = new byte[32];
    private long secretSet = Long.MIN_VALUE;

    public CookieChecker(StaticIdentity identity, long refreshNanos) {
        this.identity = identity;
        this.refreshNanos = refreshNanos;
    }

    /** True when the MAC1 of {@code msg[0..len)} (a handshake message) is right. */
    public boolean checkMac1(byte[] msg, int len) {
        byte[] mac = Blake2s.mac(identity.mac1Key, msg, 0, len - 32);
        return MessageDigest.isEqual(mac, Arrays.copyOfRange(msg, len - 32, len - 16));
    }

    /** True when the MAC2 of {@code msg[0..len)} is the one made with the cookie of {@code source}. */
    public boolean checkMac2(byte[] msg, int len, byte[] source, long nowNanos) {
        byte[] cookie = cookie(source, nowNanos);
        byte[] mac = Blake2s.mac(cookie, msg, 0, len - 16);
        return MessageDigest.isEqual(mac, Arrays.copyOfRange(msg, len - 16, len));
    }

    private synchronized byte[] cookie(byte[] source, long nowNanos) {
        if (secretSet == Long.MIN_VALUE || nowNanos - secretSet >= refreshNanos) {
            RANDOM.nextBytes(secret);
            secretSet = nowNanos;
        }
        return Blake2s.mac(secret, source);
    }

    /**
     * Writes a cookie reply to handshake message {@code msg[0..len)} from {@code source} into
     * {@code out[0..64)}: the cookie sealed with XChaCha20-Poly1305 under our cookie key and a
     * random nonce, with the message's MAC1 as additional data.
     */
    public void createReply(byte[] msg, int len, byte[] source, long nowNanos, byte[] out) {
        byte[] cookie = cookie(source, nowNanos);
        byte[] nonce = new byte[XChaChaPoly.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        byte[] mac1 = Arrays.copyOfRange(msg, len - 32, len - 16);
        byte[] sealed = XChaChaPoly.seal(identity.cookieKey, nonce, cookie, mac1);
        Arrays.fill(out, 0, COOKIE_REPLY_SIZE, (byte) 0);
        out[0] = TYPE_COOKIE_REPLY;
        System.arraycopy(msg, 4, out, COOKIE_RECEIVER, 4); // the sender index of the message
        System.arraycopy(nonce, 0, out, COOKIE_NONCE, 24);
        System.arraycopy(sealed, 0, out, COOKIE_ENCRYPTED, 32);
    }
}
