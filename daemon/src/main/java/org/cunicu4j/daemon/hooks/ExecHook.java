package org.cunicu4j.daemon.hooks;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * An {@code exec} hook: runs {@code command args... EVENT_ARGS...} ({@link EventArgs}) with the
 * daemon's environment less its {@code CUNICU_*} variables (the daemon's own settings, which may
 * carry secrets) plus the configured variables, and the event's JSON and a newline on stdin (or
 * {@code /dev/null} when stdin is off).
 *
 * <p>stdin and the merged stdout and stderr are temporary files (mode 0600), not pipes: nothing
 * the hook does can block the worker on a pipe, and no reader thread outlives the run — a
 * background child the hook leaves behind ({@code sleep 30 &}) keeps writing into an
 * already-deleted file. After the hook exits (or is killed) the first {@link #MAX_LOGGED_BYTES}
 * bytes of its output are logged at INFO, line by line (at most {@link #MAX_LOGGED_LINES} lines,
 * each cut at {@value #MAX_LINE} characters), the size of the rest is logged, and the files are
 * deleted. The output's size is bounded only by the disk: a hook writing without end is stopped
 * by its timeout.
 *
 * <p>A run that has not ended after the timeout, or whose worker is interrupted (the daemon
 * closing), is killed by PID: the process and the descendants it has at that moment get
 * SIGTERM, and after {@link #KILL_GRACE} whatever is still alive SIGKILL — so a shell script's
 * {@code sleep} goes with it. A non-zero exit code is logged as a warning. Used by one worker
 * thread; not thread-safe.
 */
final class ExecHook implements HookRunner {
    private static final System.Logger LOG = System.getLogger(ExecHook.class.getName());
    static final Duration KILL_GRACE = Duration.ofSeconds(1);
    static final int MAX_LOGGED_LINES = 100;
    static final int MAX_LOGGED_BYTES = 16 * 1024;
    static final String ENV_PREFIX = "CUNICU_";
    static final String TEMP_PREFIX = "cunicu4j-hook-";
    private static final int MAX_LINE = 1000;

    private final Hooks.Exec settings;
    private final String name;

    ExecHook(Hooks.Exec settings) {
        this.settings = settings;
        this.name = "exec " + settings.command();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Outcome run(DaemonEvent event, String json) throws InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(settings.command());
        cmd.addAll(settings.args());
        cmd.addAll(EventArgs.of(event));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(pb.environment(), settings.env());
        Path in = null;
        Path out = null;
        try {
            try {
                out = Files.createTempFile(TEMP_PREFIX, ".out"); // 0600
                pb.redirectOutput(ProcessBuilder.Redirect.to(out.toFile()));
                if (settings.stdin()) {
                    in = Files.createTempFile(TEMP_PREFIX, ".in");
                    Files.writeString(in, json + "\n", StandardCharsets.UTF_8);
                    pb.redirectInput(ProcessBuilder.Redirect.from(in.toFile()));
                } else {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "hook {0}: cannot create its temporary files for {1}: {2}", name,
                        what(event), e.toString());
                return Outcome.FAILED;
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "hook {0}: cannot start it for {1}: {2}", name, what(event), e.getMessage());
                return Outcome.FAILED;
            }
            long pid = p.pid();
            try {
                if (!p.waitFor(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    kill(p);
                    logOutput(out, pid);
                    LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}) did not finish within {2} for {3}: killed",
                            name, Long.toString(pid), settings.timeout(), what(event));
                    return Outcome.TIMED_OUT;
                }
            } catch (InterruptedException e) {
                kill(p);
                logOutput(out, pid);
                LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}) killed: the daemon is closing", name, Long.toString(pid));
                throw e;
            }
            logOutput(out, pid);
            int code = p.exitValue();
            if (code != 0) {
                LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}) exited with code {2} for {3}",
                        name, Long.toString(pid), code, what(event));
                return Outcome.FAILED;
            }
            LOG.log(System.Logger.Level.DEBUG, "hook {0} (pid {1}) ran for {2}", name, Long.toString(pid), what(event));
            return Outcome.OK;
        } finally {
            delete(in);
            delete(out);
        }
    }

    /** The daemon's environment less {@code CUNICU_*}, then the hook's configured variables. */
    static void environment(Map<String, String> env, Map<String, String> configured) {
        env.keySet().removeIf(k -> k.startsWith(ENV_PREFIX));
        env.putAll(configured);
    }

    private void delete(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "hook {0}: cannot delete {1}: {2}", name, p, e.toString());
        }
    }

    /** SIGTERM to the process and its current descendants, SIGKILL to whatever outlives {@link #KILL_GRACE}. */
    static void kill(Process p) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(p.toHandle());
        p.descendants().forEach(tree::add); // before the parent dies: orphans are no one's descendants
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        while (System.nanoTime() < deadline && !tree.stream().allMatch(ExecHook::gone)) {
            Thread.sleep(10); // other processes' exits: orphans are not our children, nothing to wait on
        }
        for (ProcessHandle h : tree) {
            if (!gone(h)) {
                h.destroyForcibly();
            }
        }
        p.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS); // reap our child
    }

    /**
     * True once {@code h} has exited: not alive, or a zombie (an orphan's zombie waits for a
     * reaper — in a container PID 1 may never reap it — and is already dead).
     */
    static boolean gone(ProcessHandle h) {
        if (!h.isAlive()) {
            return true;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + h.pid() + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && (stat.charAt(close + 2) == 'Z' || stat.charAt(close + 2) == 'X');
        } catch (IOException | RuntimeException e) {
            return !h.isAlive();
        }
    }

    /** Logs the first {@link #MAX_LOGGED_BYTES} of the output, line by line, and how much was left out. */
    private void logOutput(Path out, long pid) {
        byte[] head;
        long size;
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, MAX_LOGGED_BYTES));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // a file: reads until the buffer is full
            }
            head = Arrays.copyOf(buf.array(), buf.position());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}): cannot read its output: {2}", name, Long.toString(pid),
                    e.toString());
            return;
        }
        int lines = 0;
        int start = 0;
        while (start < head.length && lines < MAX_LOGGED_LINES) {
            int end = start;
            while (end < head.length && head[end] != '\n') {
                end++;
            }
            String line = new String(head, start, end - start, StandardCharsets.UTF_8);
            LOG.log(System.Logger.Level.INFO, "hook {0} (pid {1}): {2}", name, Long.toString(pid), printable(line));
            lines++;
            start = Math.min(end + 1, head.length);
        }
        long rest = size - start;
        if (rest > 0) {
            LOG.log(System.Logger.Level.INFO, "hook {0} (pid {1}): {2} more byte(s) of output not logged", name,
                    Long.toString(pid), Long.toString(rest));
        }
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_LINE) + 16);
        for (int i = 0; i < s.length() && sb.length() < MAX_LINE; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= MAX_LINE) {
            sb.append("…");
        }
        return sb.toString();
    }

    static String what(DaemonEvent e) {
        String s = e.type().name().toLowerCase(java.util.Locale.ROOT);
        if (e.iface() != null) {
            s += " on " + e.iface();
        }
        if (e.peer() != null) {
            s += " (" + e.peer() + ")";
        }
        return s;
    }
}
