package org.cunicu4j.daemon.control;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Nothing serves the control socket: the file is missing, or nobody accepts connections on
 * it (a stale socket). The message is {@code "no daemon at PATH"} plus the reason.
 */
public final class NoDaemonException extends ControlException {
    private final Path socket;

    public NoDaemonException(Path socket, String reason, Throwable cause) {
        super("no daemon at " + socket + " (" + reason + ")", cause);
        this.socket = socket;
    }

    /** The socket path that was tried. */
    public Path socket() {
        return socket;
    }
}
