package org.cunicu4j.stun.client;

import java.io.IOException;
import java.util.Optional;
import org.cunicu4j.stun.ErrorCode;

/**
 * A STUN transaction ended with a response the caller cannot use: an error response where
 * success was needed (with its {@link #errorCode()}), a response with comprehension-required
 * attributes this client does not understand (RFC 8489 section 6.3), or a success without
 * the attribute that was asked for.
 */
public final class StunResponseException extends IOException {
    private final ErrorCode errorCode;

    public StunResponseException(String message, ErrorCode errorCode) {
        super(message);
        this.errorCode = errorCode;
    }

    public StunResponseException(String message) {
        this(message, null);
    }

    /** The server's ERROR-CODE, when the failure is an error response. */
    public Optional<ErrorCode> errorCode() {
        return Optional.ofNullable(errorCode);
    }
}
