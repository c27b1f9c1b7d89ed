package org.cunicu4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.cunicu4j.daemon.control.ControlClient;
import org.cunicu4j.daemon.control.NoDaemonException;

/**
 * Connects the daemon-facing commands ({@code status}, {@code monitor}, {@code restart}) to
 * the control socket, with the messages a user needs when that fails. Stateless.
 */
final class ControlConnect {
    private ControlConnect() {}

    /** The control socket unless {@code --socket} or {@code CUNICU_RPC_SOCKET} name another. */
    static final String DEFAULT_SOCKET = "/var/run/cunicu4j.sock";

    /** picocli's default for {@code --socket}: the environment variable, else {@link #DEFAULT_SOCKET}. */
    static final String SOCKET_DEFAULT_EXPR = "${env:CUNICU_RPC_SOCKET:-" + DEFAULT_SOCKET + "}";

    /** The help text of {@code --socket}. */
    static final String SOCKET_HELP = "The daemon's control socket (default: $CUNICU_RPC_SOCKET, else " + DEFAULT_SOCKET + ").";

    static ControlClient connect(Path socket) throws IOException {
        try {
            return ControlClient.connect(socket);
        } catch (NoDaemonException e) {
            throw new IOException("no daemon at " + socket + " (is `cunicu4j daemon` running? --socket names another)", e);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Permission denied")) {
                throw new IOException(e.getMessage() + " (the control socket is mode 0600: run this as the daemon's user, e.g. with sudo)", e);
            }
            throw e;
        }
    }
}
