package org.cunicu4j.daemon.control;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * {@link ControlServer#start} found its socket path taken: a live control socket (another
 * daemon answers on it) or a file that is not a socket. The message names the path and what
 * holds it; the daemon's "refuses to start a second time" is this exception.
 */
public final class SocketInUseException extends FileAlreadyExistsException {
    private final boolean live;

    SocketInUseException(Path socket, boolean live, String reason) {
        super(socket.toString(), null, reason);
        this.live = live;
    }

    /** True when another daemon answers on the socket; false when a non-socket file is in the way. */
    public boolean live() {
        return live;
    }
}
