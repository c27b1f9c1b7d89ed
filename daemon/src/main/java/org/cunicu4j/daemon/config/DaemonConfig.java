package org.cunicu4j.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The whole configuration, validated: the daemon-wide settings ({@code backends},
 * {@code watch_interval}, {@code rpc.socket}, {@code log.level}) and the interface settings,
 * which {@link #interfaceConfig(String)} resolves for a name by merging the top-level defaults
 * with every matching {@code interfaces:} entry. Made by {@link ConfigLoader}. Immutable and
 * thread-safe; {@link #toString()} masks secrets.
 */
public final class DaemonConfig {
    /** The default {@code rpc.socket}. */
    public static final Path DEFAULT_RPC_SOCKET = Path.of("/var/run/cunicu4j.sock");
    /** The default {@code watch_interval}. */
    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(1);
    /** The default {@code log.level}. */
    public static final String DEFAULT_LOG_LEVEL = "info";

    private final List<String> backends;
    private final Duration watchInterval;
    private final Path rpcSocket;
    private final String logLevel;
    private final Path source;
    /** The top-level interface keys (defaults for every interface). */
    private final Tree.MapNode interfaceDefaults;
    /** The {@code interfaces:} entries in file order: pattern and its settings. */
    private final List<Map.Entry<String, Tree.MapNode>> interfaces;
    /** The keys of {@link #interfaces} compiled, in the same order. */
    private final List<Pattern> patterns;
    private final InterfaceConfig defaults;
    private final List<String> warnings;
    /** {@link #interfaceConfig} by name: the daemon asks on every poll; bounded for safety. */
    private final Map<String, InterfaceConfig> resolved = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 1024;

    DaemonConfig(List<String> backends, Duration watchInterval, Path rpcSocket, String logLevel, Path source,
            Tree.MapNode interfaceDefaults, List<Map.Entry<String, Tree.MapNode>> interfaces, List<String> warnings) {
        this.warnings = List.copyOf(warnings);
        this.backends = List.copyOf(backends);
        this.watchInterval = Objects.requireNonNull(watchInterval, "watchInterval");
        this.rpcSocket = Objects.requireNonNull(rpcSocket, "rpcSocket");
        this.logLevel = Objects.requireNonNull(logLevel, "logLevel");
        this.source = source;
        this.interfaceDefaults = Objects.requireNonNull(interfaceDefaults, "interfaceDefaults");
        this.interfaces = List.copyOf(interfaces);
        this.patterns = this.interfaces.stream().map(e -> Glob.compile(e.getKey())).toList();
        this.defaults = Schema.interfaceConfig(interfaceDefaults);
    }

    /** {@code backends}: signaling backend URLs (e.g. {@code grpc://host:8080}); empty by default. */
    public List<String> backends() {
        return backends;
    }

    /** {@code watch_interval}: how often interfaces and peers are polled (default 1s). */
    public Duration watchInterval() {
        return watchInterval;
    }

    /** {@code rpc.socket}: the control socket (default {@code /var/run/cunicu4j.sock}). */
    public Path rpcSocket() {
        return rpcSocket;
    }

    /** {@code log.level}: trace, debug, info (default), warn or error. */
    public String logLevel() {
        return logLevel;
    }

    /**
     * Problems that did not stop loading, for the daemon to log at start-up: each names its
     * source, e.g. an unknown {@code CUNICU_*} environment variable (with a did-you-mean).
     * Never holds a value.
     */
    public List<String> warnings() {
        return warnings;
    }

    /** The file this was loaded from, or null when built from defaults. */
    public Path source() {
        return source;
    }

    /** The top-level interface settings alone (what an interface no pattern matches gets). */
    public InterfaceConfig interfaceDefaults() {
        return defaults;
    }

    /**
     * The settings of interface {@code ifname}: the top-level defaults merged with every
     * {@code interfaces:} entry whose pattern matches {@code ifname}, in file order, a later
     * entry winning per key (maps such as {@code ice} and {@code peers} merge key by key; lists
     * are replaced).
     *
     * @throws ConfigException when the merged settings are inconsistent (each entry alone was
     *     checked at load time, so this only happens for combinations, e.g. a port range whose
     *     {@code min} comes from one pattern and {@code max} from another)
     */
    public InterfaceConfig interfaceConfig(String ifname) {
        Objects.requireNonNull(ifname, "ifname");
        InterfaceConfig cached = resolved.get(ifname);
        if (cached != null) {
            return cached;
        }
        InterfaceConfig c = resolve(ifname);
        if (resolved.size() < MAX_CACHED) {
            resolved.putIfAbsent(ifname, c);
        }
        return c;
    }

    private InterfaceConfig resolve(String ifname) {
        Tree.MapNode merged = interfaceDefaults;
        List<String> matched = new ArrayList<>();
        for (int i = 0; i < interfaces.size(); i++) {
            Map.Entry<String, Tree.MapNode> e = interfaces.get(i);
            if (patterns.get(i).matcher(ifname).matches()) {
                merged = merged.mergedWith(e.getValue());
                matched.add(e.getKey());
            }
        }
        if (matched.isEmpty()) {
            return defaults;
        }
        try {
            return Schema.interfaceConfig(merged);
        } catch (ConfigException e) {
            // each entry alone was fine at load time: say which combination is not
            throw new ConfigException(e.source(), e.line(), e.column(), e.keyPath(), e.problem()
                    + " (in the settings of " + ifname + ", merged from interfaces " + String.join(", ", matched) + ")", e);
        }
    }

    /** The {@code interfaces:} keys that are plain names, not globs, in file order. */
    public List<String> explicitInterfaces() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Tree.MapNode> e : interfaces) {
            if (!Glob.isGlob(e.getKey())) {
                out.add(e.getKey());
            }
        }
        return List.copyOf(out);
    }

    /** Every {@code interfaces:} key (names and globs) in file order. */
    public List<String> interfacePatterns() {
        return interfaces.stream().map(Map.Entry::getKey).toList();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DaemonConfig[source=").append(source)
                .append(", backends=").append(backends)
                .append(", watchInterval=").append(watchInterval)
                .append(", rpcSocket=").append(rpcSocket)
                .append(", logLevel=").append(logLevel)
                .append(", defaults=").append(defaults)
                .append(", interfaces={");
        String sep = "";
        for (Map.Entry<String, Tree.MapNode> e : interfaces) {
            sb.append(sep).append(e.getKey()).append('=').append(Glob.isGlob(e.getKey()) ? "(pattern)" : interfaceConfig(e.getKey()));
            sep = ", ";
        }
        return sb.append("}]").toString();
    }
}
