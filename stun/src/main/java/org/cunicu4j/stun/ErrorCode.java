package org.cunicu4j.stun;

import java.util.Objects;

/**
 * The value of an ERROR-CODE attribute (RFC 8489 section 14.8): a code 300..699 and a
 * UTF-8 reason phrase.
 */
public record ErrorCode(int code, String reason) {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHORIZED = 401;
    public static final int FORBIDDEN = 403;
    public static final int MOBILITY_FORBIDDEN = 405;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int ALLOCATION_MISMATCH = 437;
    public static final int STALE_NONCE = 438;
    public static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    public static final int WRONG_CREDENTIALS = 441;
    public static final int UNSUPPORTED_TRANSPORT_PROTOCOL = 442;
    public static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    public static final int ALLOCATION_QUOTA_REACHED = 486;
    public static final int ROLE_CONFLICT = 487;
    public static final int SERVER_ERROR = 500;
    public static final int INSUFFICIENT_CAPACITY = 508;

    public ErrorCode {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("an error code is 300..699, got " + code);
        }
        Objects.requireNonNull(reason, "reason");
    }

    /** The class digit (3..6). */
    public int errorClass() {
        return code / 100;
    }

    /** The number within the class (0..99). */
    public int number() {
        return code % 100;
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? Integer.toString(code) : code + " " + reason;
    }
}
