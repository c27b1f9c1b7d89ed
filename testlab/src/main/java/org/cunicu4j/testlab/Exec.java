package org.cunicu4j.testlab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a command to completion with a deadline and captures its output. */
public final class Exec {
    private Exec() {}

    /** The outcome of a finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Returns this result, or throws naming the command, exit code and stderr. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new LabException(String.join(" ", command) + ": exit " + exitCode
                        + (stderr.isBlank() ? "" : ": " + stderr.strip()));
            }
            return this;
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Runs {@code command} and waits at most {@code timeout}; never throws for a non-zero exit. */
    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, command, Map.of(), "");
    }

    /**
     * Runs {@code command} with changes to its environment and {@code stdin} written to it,
     * and waits at most {@code timeout} for it and its output; never throws for a non-zero
     * exit.
     *
     * @param env variables to set; a null value removes the variable (pass a HashMap)
     */
    public static Result run(Duration timeout, List<String> command, Map<String, String> env, String stdin) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ProcessBuilder pb = new ProcessBuilder(command);
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the process may exit without reading its stdin
        }
        try {
            if (!p.waitFor(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new LabException(String.join(" ", command) + ": no exit within " + timeout);
            }
            // A child it left behind may hold the pipes open: the deadline covers them too.
            return new Result(List.copyOf(command), p.exitValue(),
                    out.get(remainingMillis(deadline), TimeUnit.MILLISECONDS),
                    err.get(remainingMillis(deadline), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            kill(p);
            throw new LabException(String.join(" ", command) + ": exited, but its output did not end within "
                    + timeout + " (a child process keeps it open)");
        } catch (ExecutionException e) {
            throw new LabException("cannot read the output of " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    public static Result run(String... command) {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("");
            }
        });
        return f;
    }
}
