package org.cunicu4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.cunicu4j.daemon.Daemon;
import org.cunicu4j.daemon.config.ConfigLoader;
import org.cunicu4j.daemon.config.DaemonConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j daemon [-c FILE] [-o key=value]... [IFNAME...]}: runs the daemon in the
 * foreground until SIGINT/SIGTERM or the control socket's {@code shutdown}. Logs go to
 * stderr, one line each; the line {@code cunicu4j daemon ready: ...} says that every
 * interface is set up and the control socket answers. A configuration or start-up error
 * ends it with exit code 1 and a one-line reason (the stack trace too with {@code --debug}).
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the cunicu4j daemon: WireGuard interfaces whose peers find each other with ICE",
            "over a signaling backend. Configuration: a YAML file (-c), CUNICU_* environment",
            "variables and -o key=value, each overriding the one before."})
final class DaemonCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The configuration file (YAML).")
    private Path config;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Overrides one setting, e.g. -o rpc.socket=/run/c4j-a.sock (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--debug", description = "Log at debug level and print stack traces of errors.")
    private boolean debug;

    @Parameters(paramLabel = "IFNAME", arity = "0..*",
            description = "Interfaces to manage besides those named under interfaces: in the configuration.")
    private List<String> ifnames = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            DaemonConfig cfg = config == null ? ConfigLoader.defaults(System.getenv(), overrides)
                    : ConfigLoader.load(config, System.getenv(), overrides);
            configureLogging(debug ? "debug" : cfg.logLevel());
            Daemon daemon = Daemon.start(cfg, ifnames);
            // JUL's own shutdown hook may close the log handler meanwhile: the last line goes to stderr directly
            Thread hook = Thread.ofPlatform().name("cunicu4j-daemon-shutdown").unstarted(() -> {
                daemon.close();
                err.println(java.time.Instant.now() + " INFO  Daemon: cunicu4j daemon stopped");
                err.flush();
            });
            Runtime.getRuntime().addShutdownHook(hook);
            daemon.terminated().join();
            try {
                Runtime.getRuntime().removeShutdownHook(hook); // shut down through the control socket
            } catch (IllegalStateException shuttingDown) {
                // the hook itself ended it
            }
            return 0;
        } catch (Exception e) {
            if (debug) {
                e.printStackTrace(err);
            }
            err.println("daemon: " + oneLine(e));
            err.flush();
            return 1;
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ');
    }

    /** Root logger to stderr, one line per record: {@code 2026-11-25T12:00:00Z INFO  logger: message}. */
    static void configureLogging(String level) {
        Level l = switch (level.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> Level.INFO;
        };
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler(); // System.err
        h.setLevel(l);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String name = r.getLoggerName() == null ? "" : r.getLoggerName();
                int dot = name.lastIndexOf('.');
                String msg = formatMessage(r);
                String line = r.getInstant().toString() + " " + levelName(r.getLevel()) + " "
                        + name.substring(dot + 1) + ": " + msg + "\n";
                if (r.getThrown() != null && l.intValue() <= Level.FINE.intValue()) {
                    java.io.StringWriter sw = new java.io.StringWriter();
                    r.getThrown().printStackTrace(new PrintWriter(sw));
                    line += sw;
                }
                return line;
            }
        });
        root.addHandler(h);
        root.setLevel(l);
        // gRPC and Netty are chatty below INFO
        Logger.getLogger("io.grpc").setLevel(l.intValue() < Level.INFO.intValue() ? Level.INFO : l);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
    }

    private static String levelName(Level l) {
        if (l.intValue() >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (l.intValue() >= Level.WARNING.intValue()) {
            return "WARN ";
        }
        if (l.intValue() >= Level.INFO.intValue()) {
            return "INFO ";
        }
        return "DEBUG";
    }
}
