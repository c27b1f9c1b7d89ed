package org.cunicu4j.proxy.ipt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command-line tool (iptables-save, iptables-restore) to completion: writes the
 * given text to its standard input, collects standard output, and fails with an
 * {@link IOException} naming the command, its exit status and its standard error when it
 * exits non-zero, cannot start, or outlives the timeout (then it is killed).
 *
 * <p>The child starts in the calling thread's network namespace: call it on a platform
 * thread that is in the device's namespace. Stateless apart from the timeout; thread-safe.
 */
final class ToolRunner {
    /** How much of a tool's standard error goes into an exception message. */
    private static final int MAX_ERROR_CHARS = 2000;

    private final Duration timeout;

    ToolRunner(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * Runs {@code command} with {@code stdin} (null: none) and returns its standard output.
     *
     * @throws IOException naming the command: it could not start, exited non-zero (with its
     *     standard error), or did not finish within the timeout
     */
    String run(List<String> command, String stdin) throws IOException {
        String shown = String.join(" ", command);
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IOException("`" + shown + "` could not start: " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the tool exited early (a broken pipe): its status and standard error say why
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(1, TimeUnit.SECONDS);
                throw new IOException("`" + shown + "` did not finish within " + timeout.toMillis() + " ms (killed)"
                        + errorText(err, 200));
            }
            int status = p.exitValue();
            if (status != 0) {
                throw new IOException("`" + shown + "` exited with status " + status + errorText(err, 2000));
            }
            return out.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("`" + shown + "` interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("`" + shown + "`: its output could not be read: " + e, e);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static String errorText(CompletableFuture<String> err, long waitMillis) {
        String text;
        try {
            text = err.get(waitMillis, TimeUnit.MILLISECONDS).strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return "";
        }
        if (text.isEmpty()) {
            return " (no error output)";
        }
        if (text.length() > MAX_ERROR_CHARS) {
            text = text.substring(0, MAX_ERROR_CHARS) + "...";
        }
        return ": " + text.replace('\n', ' ');
    }

    /** Reads a stream to its end on a virtual thread (no namespace needed for a pipe). */
    private static CompletableFuture<String> drain(InputStream s) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().name("tool-drain").start(() -> {
            try (s) {
                f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
