package org.cunicu4j.stun;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The keys of STUN's credential mechanisms (RFC 8489 section 9) and USERHASH. Strings are
 * prepared with {@link StringPrep#opaqueString} as RFC 8489 asks; pass already-prepared
 * strings to the {@code ...Prepared} variants (for example SASLprep'ed ones, to talk to
 * an RFC 5389 peer). Stateless and thread-safe.
 */
public final class StunCredentials {
    private StunCredentials() {}

    /** Short-term key: {@code OpaqueString(password)} in UTF-8 (section 9.1.1). ICE's pwd. */
    public static byte[] shortTermKey(String password) {
        return StringPrep.opaqueString(password).getBytes(StandardCharsets.UTF_8);
    }

    /** Long-term key with MD5: {@code MD5(username ":" OpaqueString(realm) ":" OpaqueString(password))}. */
    public static byte[] longTermKey(String username, String realm, String password) {
        return longTermKey(username, realm, password, PasswordAlgorithm.MD5);
    }

    /**
     * Long-term key (section 9.2.2) for {@code algorithm} (MD5 or SHA-256):
     * {@code H(OpaqueString(username) ":" OpaqueString(realm) ":" OpaqueString(password))}.
     */
    public static byte[] longTermKey(String username, String realm, String password, PasswordAlgorithm algorithm) {
        return longTermKeyPrepared(StringPrep.opaqueString(username), StringPrep.opaqueString(realm),
                StringPrep.opaqueString(password), algorithm);
    }

    /** Long-term key over strings used exactly as given. */
    public static byte[] longTermKeyPrepared(String username, String realm, String password,
            PasswordAlgorithm algorithm) {
        String name = algorithm.digestName();
        if (name == null) {
            throw new IllegalArgumentException("unsupported password algorithm " + algorithm);
        }
        return digest(name, username + ":" + realm + ":" + password);
    }

    /** USERHASH (section 14.4): {@code SHA-256(OpaqueString(username) ":" OpaqueString(realm))}. */
    public static byte[] userhash(String username, String realm) {
        return digest("SHA-256", StringPrep.opaqueString(username) + ":" + StringPrep.opaqueString(realm));
    }

    private static byte[] digest(String algorithm, String input) {
        try {
            return MessageDigest.getInstance(algorithm).digest(input.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }
}
