package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cunicu4j.daemon.control.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j monitor [--json] [--socket PATH]}: prints the daemon's events as they
 * happen, one line each ({@link EventLine}, or {@link StatusJson#render(org.cunicu4j.daemon.api.DaemonEvent)}
 * with {@code --json}), until interrupted or the daemon ends the stream (exit 0). A reader too
 * slow for the daemon sees an {@code events_dropped} line.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the daemon's events (peer state changes, pair changes, restarts, ...) as they happen.")
final class MonitorCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "One JSON object per line.")
    private boolean json;

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = ControlConnect.SOCKET_DEFAULT_EXPR,
            description = ControlConnect.SOCKET_HELP)
    private Path socket;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (ControlClient c = ControlConnect.connect(socket)) {
            c.watch(e -> {
                out.print((json ? StatusJson.render(e) : EventLine.render(e)) + "\n");
                out.flush();
            });
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("monitor: the daemon ended the event stream");
        err.flush();
        return 0;
    }
}
