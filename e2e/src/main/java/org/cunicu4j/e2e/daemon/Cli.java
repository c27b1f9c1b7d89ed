package org.cunicu4j.e2e.daemon;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;

/**
 * Runs the {@code cunicu4j} command as a JVM of its own ({@code org.cunicu4j.cli.Main} on
 * this JVM's class path, with absolute entries) — in a lab host's namespace or in this one.
 * Stateless.
 */
public final class Cli {
    private Cli() {}

    /** {@code java --enable-native-access=ALL-UNNAMED -cp <class path> org.cunicu4j.cli.Main args...}. */
    public static List<String> command(String... args) {
        return javaCommand("org.cunicu4j.cli.Main", args);
    }

    /** {@code java --enable-native-access=ALL-UNNAMED <Meshes.TEST_JVM> -cp <class path> mainClass args...}. */
    public static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(Meshes.TEST_JVM);
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code cunicu4j args...} in {@code host} (null: this namespace) and returns its result, whatever the exit code. */
    public static Exec.Result exec(Host host, Duration timeout, String... args) {
        return exec(host, timeout, Map.of(), args);
    }

    /** {@link #exec(Host, Duration, String...)} with extra environment variables. */
    public static Exec.Result exec(Host host, Duration timeout, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        if (host != null) {
            cmd.addAll(List.of("ip", "netns", "exec", host.netns()));
        }
        cmd.addAll(command(args));
        return Exec.run(timeout, cmd, env, "");
    }

    /** This JVM's class path with every entry made absolute (a child may run in another directory). */
    public static String absoluteClassPath() {
        List<String> parts = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                parts.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, parts);
    }
}
