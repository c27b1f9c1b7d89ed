package org.cunicu4j.daemon.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the daemon's configuration: a YAML file laid out like cunīcu's (or none), then
 * {@code CUNICU_*} environment variables, then {@code -o key=value} options, each overriding
 * the one before; validates everything and returns an immutable {@link DaemonConfig}.
 * Stateless and thread-safe.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /**
     * Loads {@code file} with the overrides.
     *
     * @param env the process environment (only {@code CUNICU_*} variables are looked at)
     * @param overrides {@code key=value} strings from {@code -o}, in command-line order
     * @throws ConfigException naming the file (or variable, or option), line:column, key and problem;
     *     also when the file holds a secret and is readable by group or others
     */
    public static DaemonConfig load(Path file, Map<String, String> env, List<String> overrides) {
        return defaults(env, overrides); // skeleton
    }

    /** The built-in defaults with the overrides, for a daemon started without a file. */
    public static DaemonConfig defaults(Map<String, String> env, List<String> overrides) {
        return new DaemonConfig(List.of(), DaemonConfig.DEFAULT_WATCH_INTERVAL, DaemonConfig.DEFAULT_RPC_SOCKET,
                DaemonConfig.DEFAULT_LOG_LEVEL, null,
                new Tree.MapNode(Map.of(), new Origin("defaults", 0, 0, "")), List.of()); // skeleton
    }
}
