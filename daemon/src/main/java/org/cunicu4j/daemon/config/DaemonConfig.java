package org.cunicu4j.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
    private final InterfaceConfig defaults;

    DaemonConfig(List<String> backends, Duration watchInterval, Path rpcSocket, String logLevel, Path source,
            Tree.MapNode interfaceDefaults, List<Map.Entry<String, Tree.MapNode>> interfaces) {
        this.backends = List.copyOf(backends);
        this.watchInterval = Objects.requireNonNull(watchInterval, "watchInterval");
        this.rpcSocket = Objects.requireNonNull(rpcSocket, "rpcSocket");
        this.logLevel = Objects.requireNonNull(logLevel, "logLevel");
        this.source = source;
        this.interfaceDefaults = Objects.requireNonNull(interfaceDefaults, "interfaceDefaults");
        this.interfaces = List.copyOf(interfaces);
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
        Tree.MapNode merged = interfaceDefaults;
        boolean any = false;
        for (Map.Entry<String, Tree.MapNode> e : interfaces) {
            if (Glob.matches(e.getKey(), ifname)) {
                merged = merged.mergedWith(e.getValue());
                any = true;
            }
        }
        return any ? Schema.interfaceConfig(merged) : defaults;
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
