package org.cunicu4j.daemon.control;

import java.io.IOException;

/**
 * The daemon answered a control request with an error, or its answer made no sense; the
 * message says what failed and why (the daemon's own text where it sent one).
 */
public class ControlException extends IOException {
    public ControlException(String message) {
        super(message);
    }

    public ControlException(String message, Throwable cause) {
        super(message, cause);
    }
}
