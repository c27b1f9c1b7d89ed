package org.cunicu4j.stun;

/**
 * A password algorithm of PASSWORD-ALGORITHM(S) (RFC 8489 sections 14.11, 14.12, 18.5):
 * the hash a long-term key is made with. Both registered algorithms take no parameters;
 * parameters of unknown algorithms are skipped when parsing.
 */
public record PasswordAlgorithm(int code) {
    public static final PasswordAlgorithm MD5 = new PasswordAlgorithm(0x0001);
    public static final PasswordAlgorithm SHA256 = new PasswordAlgorithm(0x0002);

    public PasswordAlgorithm {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("an algorithm number is 16 bits, got " + code);
        }
    }

    /** The JDK MessageDigest name, or null for an algorithm this code does not know. */
    public String digestName() {
        return switch (code) {
            case 0x0001 -> "MD5";
            case 0x0002 -> "SHA-256";
            default -> null;
        };
    }

    @Override
    public String toString() {
        return switch (code) {
            case 0x0001 -> "MD5";
            case 0x0002 -> "SHA-256";
            default -> String.format("0x%04x", code);
        };
    }
}
