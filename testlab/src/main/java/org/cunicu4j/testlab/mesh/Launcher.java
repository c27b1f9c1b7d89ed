package org.cunicu4j.testlab.mesh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command prefix that runs the cunicu4j CLI as a process, e.g. {@code [java,
 * --enable-native-access=ALL-UNNAMED, -cp, <jar or class path>, org.cunicu4j.cli.Main]};
 * {@link MeshLab} appends {@code daemon -c FILE}, {@code signal --listen ...} or
 * {@code status --json ...}. Immutable.
 *
 * @param prefix the command up to and including the main class
 */
public record Launcher(List<String> prefix) {
    /** The CLI's entry point. */
    public static final String MAIN_CLASS = "org.cunicu4j.cli.Main";

    public Launcher {
        prefix = List.copyOf(prefix);
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("a launcher needs at least the program to run");
        }
    }

    /**
     * The running JVM's {@code java} with {@code classPath} (a jar or a class path holding
     * the CLI and its dependencies) and JVM options, if any, before the main class.
     */
    public static Launcher java(String classPath, String... jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(MAIN_CLASS);
        return new Launcher(cmd);
    }

    /**
     * The running JVM's own class path ({@code java.class.path}, every entry made absolute):
     * what tests that have the CLI on their class path pass.
     */
    public static Launcher currentClassPath(String... jvmOptions) {
        List<String> parts = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                parts.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return java(String.join(java.io.File.pathSeparator, parts), jvmOptions);
    }

    /**
     * This launcher with JVM options added right after the java executable, when the prefix
     * starts with one ({@code .../java}); else this launcher unchanged.
     */
    public Launcher withJvmOptions(String... options) {
        String first = Path.of(prefix.getFirst()).getFileName().toString();
        if (!first.equals("java")) {
            return this;
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(1, List.of(options));
        return new Launcher(cmd);
    }

    /**
     * For short-lived commands such as {@code status}: C1 only, the serial collector and a
     * small heap, so that starting the JVM costs less CPU (where the prefix starts with java).
     */
    public Launcher quick() {
        return withJvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xshare:auto");
    }

    /** The prefix followed by {@code args}. */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The prefix followed by {@code args}. */
    public List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(args);
        return cmd;
    }
}
