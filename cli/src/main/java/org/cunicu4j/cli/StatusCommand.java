package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.control.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j status [--json] [--socket PATH] [--color auto|always|never] [IFACE]}: asks
 * the daemon over its control socket and prints {@link StatusTable} (colour only on a
 * terminal without {@code NO_COLOR}, unless {@code --color} says otherwise) or
 * {@link StatusJson}. Exit 1 when no daemon answers or {@code IFACE} is not one of its
 * interfaces.
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the daemon's interfaces and peers.",
            "Per peer: connection state, proxy mode and why, selected candidate pair, RTT,",
            "bytes received and sent, last handshake, restarts."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print a stable JSON document (snake_case fields) instead of a table.")
    private boolean json;

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = ControlConnect.SOCKET_DEFAULT_EXPR,
            description = ControlConnect.SOCKET_HELP)
    private Path socket;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (on a terminal, unless NO_COLOR is set), always or never (default: ${DEFAULT-VALUE}).")
    private String color;

    @Parameters(arity = "0..1", paramLabel = "IFACE", description = "Only this interface.")
    private String iface;

    @Override
    public Integer call() throws IOException {
        ColorChoice choice;
        try {
            choice = ColorChoice.parse(color);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--color: " + e.getMessage());
        }
        DaemonStatus status;
        try (ControlClient c = ControlConnect.connect(socket)) {
            status = c.status();
        }
        if (iface != null) {
            List<InterfaceStatus> only = status.interfaces().stream().filter(i -> i.name().equals(iface)).toList();
            if (only.isEmpty()) {
                List<String> names = status.interfaces().stream().map(InterfaceStatus::name).toList();
                throw new IOException("the daemon has no interface " + iface
                        + (names.isEmpty() ? " (it manages none)" : " (it manages " + String.join(", ", names) + ")"));
            }
            status = new DaemonStatus(status.version(), status.pid(), status.started(), only, status.counters());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(StatusJson.render(status) + "\n");
        } else {
            out.print(StatusTable.render(status, Instant.now(), choice.enabled(System.getenv(), ColorChoice.stdoutIsTerminal())));
        }
        out.flush();
        return 0;
    }
}
