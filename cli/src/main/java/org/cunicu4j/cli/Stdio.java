package org.cunicu4j.cli;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the commands need from the process besides picocli's out and err writers: standard
 * input, and the path that shows what standard output is connected to (for the
 * world-accessible-file warning). Tests pass their own; {@link #system()} is the real one.
 *
 * @param in standard input; commands read it, never close it
 * @param stdoutLink a path that resolves to standard output's file, or empty if unknown
 */
public record Stdio(InputStream in, Optional<Path> stdoutLink) {

    /** The process's own standard input, and {@code /proc/self/fd/1}. */
    public static Stdio system() {
        return new Stdio(System.in, Optional.of(Path.of("/proc/self/fd/1")));
    }

    /** Reads from {@code in}; standard output is not checked. */
    public static Stdio of(InputStream in) {
        return new Stdio(in, Optional.empty());
    }
}
