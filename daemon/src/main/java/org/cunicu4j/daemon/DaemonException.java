package org.cunicu4j.daemon;

/**
 * A configuration or start-up error the user can fix: its message is one line naming what is
 * wrong and where (a key and a file, an interface, a socket). The CLI prints the message
 * alone, without a stack trace.
 */
public final class DaemonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DaemonException(String message) {
        super(message);
    }

    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }
}
