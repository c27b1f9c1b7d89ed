package org.cunicu4j.daemon.hooks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * Runs the configured hooks (cunīcu's {@code hooks}) for interface, peer and connection-state
 * events: {@link Exec} hooks start a program, {@link Web} hooks send an HTTP request; the
 * arguments and the JSON are described in the package documentation.
 *
 * <p>{@link #accept} is the listener to register with the daemon's event stream; it only
 * filters and enqueues, never blocks. Each hook has its own bounded queue and virtual thread,
 * so hooks run off the event thread, one event at a time and in order per hook; a full queue
 * drops the event for that hook (counted in {@link #stats()}); a hook that fails is logged and
 * counted; one that hangs is killed (exec) or abandoned (web) at its timeout and holds up only
 * its own queue.
 *
 * <p>Owned by the daemon, one per interface (or one for all); {@link #close} gives queued
 * events up to {@link Settings#drainTimeout} to run (so the {@code removed interface} of a
 * shutdown is delivered), then kills what still runs. Thread-safe.
 */
public final class Hooks implements Consumer<DaemonEvent>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Hooks.class.getName());

    /** Timeout of a hook run when none is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** One configured hook: {@link Exec} or {@link Web}. */
    public sealed interface Hook permits Exec, Web {}

    /**
     * An {@code exec} hook (cunīcu: {@code type: exec}).
     *
     * @param command the program (a path, or a name looked up in {@code PATH})
     * @param args arguments before the event's ones
     * @param env variables added to the daemon's environment
     * @param stdin whether the event JSON is written to its stdin (else stdin is {@code /dev/null})
     * @param timeout after which it is killed
     */
    public record Exec(String command, List<String> args, Map<String, String> env, boolean stdin, Duration timeout)
            implements Hook {
        /** @throws IllegalArgumentException naming what is wrong */
        public Exec {
            if (command == null || command.isBlank()) {
                throw new IllegalArgumentException("hooks: an exec hook needs a command");
            }
            args = List.copyOf(args == null ? List.of() : args);
            env = Map.copyOf(env == null ? Map.of() : env);
            timeout = positive(timeout, "exec hook " + command);
        }

        /** {@code command} with the event's arguments, the JSON on stdin and the default timeout. */
        public static Exec of(String command, String... args) {
            return new Exec(command, List.of(args), Map.of(), true, DEFAULT_TIMEOUT);
        }
    }

    /**
     * A {@code web} hook (cunīcu: {@code type: web}).
     *
     * @param url an http or https URL
     * @param method the HTTP method (null: POST)
     * @param headers request headers (the values are never logged)
     * @param timeout for the whole exchange: connecting, the response headers and its body
     */
    public record Web(URI url, String method, Map<String, String> headers, Duration timeout) implements Hook {
        /** @throws IllegalArgumentException naming what is wrong (a bad URL, method or header) */
        public Web {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new IllegalArgumentException("hooks: web hook URL '" + WebHook.loggable(url)
                        + "' must be http:// or https:// with a host");
            }
            method = method == null || method.isBlank() ? "POST" : method.strip().toUpperCase(Locale.ROOT);
            headers = Map.copyOf(headers == null ? Map.of() : headers);
            timeout = positive(timeout, "web hook " + WebHook.loggable(url));
            HttpRequest.Builder probe = HttpRequest.newBuilder(url);
            try {
                probe.method(method, HttpRequest.BodyPublishers.noBody());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hooks: web hook " + WebHook.loggable(url) + ": bad method '" + method + "'");
            }
            for (String h : headers.keySet()) {
                try {
                    probe.setHeader(h, headers.get(h));
                } catch (IllegalArgumentException e) {
                    // the JDK's message may quote the value, which may be a secret: name only the header
                    throw new IllegalArgumentException("hooks: web hook " + WebHook.loggable(url) + ": header '" + h
                            + "' cannot be set: " + headerProblem(h));
                }
            }
        }

        /** Why header {@code name} cannot be set, without its value. */
        private static String headerProblem(String name) {
            try {
                HttpRequest.newBuilder(URI.create("http://localhost/")).setHeader(name, "x");
                return "its value is not a valid header value (CR, LF or another control character?)";
            } catch (IllegalArgumentException e) {
                return "the name is restricted or invalid";
            }
        }

        /** A POST of the event JSON to {@code url} with the default timeout. */
        public static Web of(String url) {
            return new Web(URI.create(url), "POST", Map.of(), DEFAULT_TIMEOUT);
        }
    }

    /**
     * @param hooks the hooks, run in parallel with each other
     * @param queueCapacity events each hook may lag behind before events are dropped for it
     * @param drainTimeout how long {@link #close} waits for queued and running hooks
     */
    public record Settings(List<Hook> hooks, int queueCapacity, Duration drainTimeout) {
        public static final int DEFAULT_QUEUE = 64;
        public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);

        public Settings {
            hooks = List.copyOf(hooks);
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("hooks: queue capacity must be at least 1, not " + queueCapacity);
            }
            if (drainTimeout == null || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("hooks: drain timeout must be zero or more, not " + drainTimeout);
            }
        }

        /** {@code hooks} with the default queue and drain timeout. */
        public static Settings of(Hook... hooks) {
            return new Settings(List.of(hooks), DEFAULT_QUEUE, DEFAULT_DRAIN);
        }
    }

    /**
     * One hook's counters.
     *
     * @param hook as it appears in logs ({@code exec /path}, {@code POST https://host/path})
     * @param runs runs finished (successful or not)
     * @param failures runs that failed (non-zero exit, non-2xx, could not start or send)
     * @param timeouts runs that hit the timeout
     * @param dropped events dropped because its queue was full
     */
    public record Stats(String hook, long runs, long failures, long timeouts, long dropped) {}

    private final Settings settings;
    private final String ifname;
    private final List<HookWorker> workers = new ArrayList<>();
    private final HttpClient http;
    private volatile boolean closed;

    /**
     * Starts one worker per hook.
     *
     * @param ifname the interface whose events run these hooks, or null for every interface
     */
    public Hooks(Settings settings, String ifname) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ifname = ifname;
        boolean web = settings.hooks().stream().anyMatch(h -> h instanceof Web);
        this.http = web ? HttpClient.newBuilder()
                .connectTimeout(settings.hooks().stream().filter(h -> h instanceof Web).map(h -> ((Web) h).timeout())
                        .max(Duration::compareTo).orElse(DEFAULT_TIMEOUT))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build() : null;
        for (Hook h : settings.hooks()) {
            HookRunner r = switch (h) {
                case Exec e -> new ExecHook(e);
                case Web w -> new WebHook(w, http);
            };
            workers.add(new HookWorker(r, settings.queueCapacity()));
        }
        workers.forEach(HookWorker::start);
    }

    /** Enqueues {@code event} for every hook if hooks run for it; never blocks. */
    @Override
    public void accept(DaemonEvent event) {
        if (closed || event == null || event.type() == null || !EventArgs.hooked(event.type())
                || (ifname != null && !ifname.equals(event.iface()))) {
            return;
        }
        for (HookWorker w : workers) {
            w.offer(event);
        }
    }

    /** Every hook's counters, in configuration order. */
    public List<Stats> stats() {
        return workers.stream().map(HookWorker::stats).toList();
    }

    /**
     * Stops taking events, waits up to {@link Settings#drainTimeout} for queued and running
     * hooks, then interrupts the workers (killing running exec hooks) and waits for them.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        try {
            while (System.nanoTime() < deadline && !workers.stream().allMatch(HookWorker::idle)) {
                Thread.sleep(10); // a bounded wait for other threads' processes; nothing to wake us
            }
            workers.forEach(HookWorker::stop);
            for (HookWorker w : workers) {
                w.join(ExecHook.KILL_GRACE.multipliedBy(3));
            }
        } catch (InterruptedException e) {
            workers.forEach(HookWorker::stop);
            Thread.currentThread().interrupt();
        } finally {
            if (http != null) {
                http.shutdownNow(); // close() would wait for a hanging request
            }
        }
        Map<String, Stats> left = new LinkedHashMap<>();
        for (Stats s : stats()) {
            if (s.dropped() > 0 || s.failures() > 0 || s.timeouts() > 0) {
                left.put(s.hook(), s);
            }
        }
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "hooks closed: {0}", left.values());
        }
    }

    private static Duration positive(Duration d, String what) {
        if (d == null) {
            return DEFAULT_TIMEOUT;
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("hooks: " + what + ": timeout must be positive, not " + d);
        }
        return d;
    }
}
