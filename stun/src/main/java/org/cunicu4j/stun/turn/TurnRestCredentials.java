package org.cunicu4j.stun.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials of the TURN REST API (as coturn's
 * {@code --use-auth-secret} checks them and cunīcu's relay registry hands them out):
 * user name {@code "<expiry unix seconds>:<name>"} (the name conventionally the peer's
 * base64 WireGuard public key), password {@code base64(HMAC-SHA1(shared secret, user name))}.
 * Immutable.
 *
 * @param username the user name to send in USERNAME
 * @param password the password for the long-term credential key
 * @param expiry when the server stops accepting them
 */
public record TurnRestCredentials(String username, String password, Instant expiry) {

    /** The default lifetime of REST credentials: one hour. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    public TurnRestCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(expiry, "expiry");
    }

    /** Credentials for {@code name} valid for {@link #DEFAULT_LIFETIME} from the clock's now. */
    public static TurnRestCredentials issue(String sharedSecret, String name, Clock clock) {
        return issue(sharedSecret, name, clock.instant(), DEFAULT_LIFETIME);
    }

    /** Credentials for {@code name} (any string, e.g. a base64 public key) valid until {@code now + lifetime}. */
    public static TurnRestCredentials issue(String sharedSecret, String name, Instant now, Duration lifetime) {
        Objects.requireNonNull(name, "name");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive, got " + lifetime);
        }
        Instant expiry = Instant.ofEpochSecond(now.plus(lifetime).getEpochSecond());
        String username = expiry.getEpochSecond() + ":" + name;
        return new TurnRestCredentials(username, password(sharedSecret, username), expiry);
    }

    /** {@code base64(HMAC-SHA1(sharedSecret as UTF-8, username as UTF-8))}. */
    public static String password(String sharedSecret, String username) {
        Objects.requireNonNull(sharedSecret, "sharedSecret");
        Objects.requireNonNull(username, "username");
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JDK", e);
        }
    }

    /** True once {@code now} is at or past the expiry. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiry);
    }

    /** Masks the password. */
    @Override
    public String toString() {
        return "TurnRestCredentials[username=" + username + ", password=***, expiry=" + expiry + "]";
    }
}
