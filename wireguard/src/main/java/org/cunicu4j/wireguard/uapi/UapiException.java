package org.cunicu4j.wireguard.uapi;

import java.io.IOException;

/**
 * A UAPI operation failed: a request that does not parse (server side, answered with
 * {@code errno=-22}) or an {@code errno=-N} reply (client side). Carries the positive errno
 * of {@code errno.h}; on the wire it travels negated, as wireguard-go writes it.
 */
public final class UapiException extends IOException {
    /** EINVAL: the request was not understood. */
    public static final int EINVAL = 22;
    /** EIO: the device failed to apply a valid request. */
    public static final int EIO = 5;
    /** EPROTO: the other side broke the protocol. */
    public static final int EPROTO = 71;

    private final int errno;

    public UapiException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno sent or received. */
    public int errno() {
        return errno;
    }
}
