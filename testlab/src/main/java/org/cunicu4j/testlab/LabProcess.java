package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process started in a lab host. Its output goes to a log file (so it can
 * never block on a full pipe); {@link #close()} stops it by PID: SIGTERM, then SIGKILL.
 */
public final class LabProcess implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path log;

    LabProcess(List<String> command, Path log) {
        this.command = List.copyOf(command);
        this.log = log;
        try {
            this.process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    public Path logFile() {
        return log;
    }

    public List<String> command() {
        return command;
    }

    /** Stops the process and its children: SIGTERM, then SIGKILL after 5 s. Idempotent. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code output()} contains {@code text}, failing with the log after the deadline. */
    public void awaitOutput(String text, Duration timeout) {
        Waiter.until("output of " + command.getFirst() + " contains \"" + text + "\"", timeout,
                () -> {
                    if (!process.isAlive() && !output().contains(text)) {
                        throw new LabException(command.getFirst() + " exited with " + process.exitValue()
                                + " before printing \"" + text + "\":\n" + output());
                    }
                    return output().contains(text);
                });
    }
}
