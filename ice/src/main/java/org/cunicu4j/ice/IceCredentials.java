package org.cunicu4j.ice;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * An agent's username fragment and password (RFC 8445 §5.3). Immutable; the password is
 * never printed by {@link #toString()}.
 */
public record IceCredentials(String ufrag, String password) {

    /** Length of a generated ufrag (RFC 8445 asks for at least 4 characters, 24 bits). */
    public static final int UFRAG_LENGTH = 16;
    /** Length of a generated password (RFC 8445 asks for at least 22 characters, 128 bits). */
    public static final int PASSWORD_LENGTH = 32;

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public IceCredentials {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(password, "password");
        if (ufrag.isEmpty() || ufrag.length() > 256 || ufrag.indexOf(':') >= 0) {
            throw new IllegalArgumentException("ufrag must be 1..256 characters without ':', got " + ufrag.length()
                    + " characters");
        }
        if (password.isEmpty() || password.length() > 256) {
            throw new IllegalArgumentException("password must be 1..256 characters, got " + password.length());
        }
    }

    /** Fresh random credentials: a 16-letter ufrag and a 32-letter password. */
    public static IceCredentials random(RandomGenerator random) {
        return new IceCredentials(letters(random, UFRAG_LENGTH), letters(random, PASSWORD_LENGTH));
    }

    private static String letters(RandomGenerator random, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = LETTERS.charAt(random.nextInt(LETTERS.length()));
        }
        return new String(c);
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + ", password=***]";
    }
}
