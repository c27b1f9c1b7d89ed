package org.cunicu4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code cunicu4j} command and the runnable jar's entry point.
 *
 * <p>Exit codes: 0 on success, 1 when a command fails (one line on stderr, no stack
 * trace), 2 on a usage error (unknown command or option: the message and the usage on
 * stderr). Each invocation builds a fresh command tree, so {@link #commandLine} is safe to
 * call from tests concurrently.
 */
@Command(name = "cunicu4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "A zero-configuration peer-to-peer mesh VPN: WireGuard plus ICE on shared ports.",
        subcommands = {VersionCommand.class, WgCommand.class, NetcheckCommand.class, SignalCommand.class, DaemonCommand.class,
            StatusCommand.class, MonitorCommand.class, RestartCommand.class,
            DemoCommand.class, AddressesCommand.class})
public final class Main implements Runnable {

    @Spec
    private CommandSpec spec;

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        int code = commandLine(Stdio.system()).execute(args);
        System.exit(code);
    }

    /**
     * The whole command tree, wired to {@code stdio}; set picocli's out and err writers on
     * the result to capture output.
     */
    public static CommandLine commandLine(Stdio stdio) {
        CommandLine cl = new CommandLine(new Main(), new CommandFactory(stdio));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            // the text may be the daemon's (from afar): it must not drive the terminal
            err.println(commandLine.getCommandName() + ": " + Units.printable(String.valueOf(ex.getMessage())));
            err.flush();
            return 1;
        });
        return cl;
    }

    /** Without a subcommand: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
