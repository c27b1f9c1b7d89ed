package org.cunicu4j.stun.turn;

import java.io.IOException;

/**
 * A TURN request that failed: the server refused it (with its STUN error code), rejected
 * the credentials, did not answer in time, or answered with nonsense. The message names
 * the server, the request and the reason, ready to show to a user.
 */
public final class TurnException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a TURN request failed. */
    public enum Kind {
        /** The server rejected the long-term credentials (401 after a retry with realm and nonce). */
        UNAUTHORIZED,
        /** No response within the configured time. */
        TIMEOUT,
        /** An error response other than 401 (see {@link #errorCode()}). */
        REFUSED,
        /** A response that breaks the protocol (missing attribute, bad integrity). */
        PROTOCOL,
        /** The allocation is closed or lost. */
        CLOSED
    }

    private final Kind kind;
    private final int errorCode;

    TurnException(Kind kind, int errorCode, String message) {
        super(message);
        this.kind = kind;
        this.errorCode = errorCode;
    }

    TurnException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.errorCode = 0;
    }

    public Kind kind() {
        return kind;
    }

    /** The STUN error code of the server's response (e.g. 401, 438, 486), or 0 when there was none. */
    public int errorCode() {
        return errorCode;
    }
}
