package org.cunicu4j.daemon.hooks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * An {@code exec} hook: runs {@code command args... EVENT_ARGS...} ({@link EventArgs}) with the
 * daemon's environment plus the configured variables, the event's JSON and a newline on stdin
 * (or {@code /dev/null} when stdin is off), stdout and stderr merged and logged line by line at
 * INFO (at most {@link #MAX_LOGGED_LINES} lines per run; the rest is read and counted).
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
        pb.environment().putAll(settings.env());
        if (!settings.stdin()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "hook {0}: cannot start it for {1}: {2}", name, what(event), e.getMessage());
            return Outcome.FAILED;
        }
        long pid = p.pid();
        Thread reader = Thread.ofVirtual().name("hook-output-" + pid).start(() -> logOutput(p.getInputStream(), pid));
        try {
            if (settings.stdin()) {
                writeStdin(p, json);
            }
            if (!p.waitFor(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                kill(p);
                LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}) did not finish within {2} for {3}: killed",
                        name, Long.toString(pid), settings.timeout(), what(event));
                return Outcome.TIMED_OUT;
            }
        } catch (InterruptedException e) {
            kill(p);
            LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}) killed: the daemon is closing", name, Long.toString(pid));
            throw e;
        } finally {
            reader.join(KILL_GRACE); // the output of a run stays together in the log
        }
        int code = p.exitValue();
        if (code != 0) {
            LOG.log(System.Logger.Level.WARNING, "hook {0} (pid {1}) exited with code {2} for {3}",
                    name, Long.toString(pid), code, what(event));
            return Outcome.FAILED;
        }
        LOG.log(System.Logger.Level.DEBUG, "hook {0} (pid {1}) ran for {2}", name, Long.toString(pid), what(event));
        return Outcome.OK;
    }

    private void writeStdin(Process p, String json) {
        try (OutputStream os = p.getOutputStream()) {
            os.write((json + "\n").getBytes(StandardCharsets.UTF_8)); // a few hundred bytes: fits the pipe, never blocks
        } catch (IOException e) {
            // the hook exited without reading its stdin: its business
            LOG.log(System.Logger.Level.DEBUG, "hook {0}: stdin not read: {1}", name, e.getMessage());
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

    private void logOutput(InputStream in, long pid) {
        long lines = 0;
        long skipped = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (++lines <= MAX_LOGGED_LINES) {
                    LOG.log(System.Logger.Level.INFO, "hook {0} (pid {1}): {2}", name, Long.toString(pid), printable(line));
                } else {
                    skipped++;
                }
            }
        } catch (IOException e) {
            // the stream closed under us (process killed): nothing more to log
        }
        if (skipped > 0) {
            LOG.log(System.Logger.Level.INFO, "hook {0} (pid {1}): {2} more line(s) not logged", name, Long.toString(pid), skipped);
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
