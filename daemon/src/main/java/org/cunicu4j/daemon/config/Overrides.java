package org.cunicu4j.daemon.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code CUNICU_*} environment variables and {@code -o key=value} options as {@link Tree}s
 * to lay over the file's. A variable's name is a known key path upper-cased with {@code .}
 * and {@code _} as {@code _} ({@code CUNICU_ICE_URLS} is {@code ice.urls}); an option's key
 * is any dotted path ({@code interfaces.wg0.peers.bob.endpoint}). Values are plain strings,
 * or YAML when they start with {@code [}, <code>{</code>, {@code "} or {@code '}; where the
 * schema wants a list, a plain string is split at commas (an empty one is an empty list);
 * {@code null} or {@code ~} sets a key back to its default. Stateless.
 */
final class Overrides {
    static final String ENV_PREFIX = "CUNICU_";
    /** Variables with the prefix that are not configuration keys (cunīcu's config file path). */
    static final Set<String> IGNORED_ENV = Set.of("CUNICU_CONFIG");

    private static final Map<String, String> ENV_TO_PATH;

    static {
        Map<String, String> m = new TreeMap<>();
        for (String path : Schema.ENV_PATHS) {
            m.put(envName(path), path);
        }
        ENV_TO_PATH = Map.copyOf(m);
    }

    private Overrides() {}

    /** The variable that sets {@code path}: {@code ice.check_interval} gives {@code CUNICU_ICE_CHECK_INTERVAL}. */
    static String envName(String path) {
        return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** One tree per {@code CUNICU_*} variable of {@code env}, in name order. */
    static List<Tree.MapNode> fromEnv(Map<String, String> env) {
        List<Tree.MapNode> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || IGNORED_ENV.contains(name)) {
                continue;
            }
            Origin root = Origin.override("environment variable " + name);
            String path = ENV_TO_PATH.get(name);
            if (path == null) {
                String hint = Suggest.closest(name, List.copyOf(ENV_TO_PATH.keySet()));
                throw root.error("not a configuration variable" + (hint != null ? " (did you mean " + hint + "?)"
                        : " (known: " + String.join(", ", new TreeMap<>(ENV_TO_PATH).keySet()) + ")"));
            }
            out.add(chain(path, e.getValue(), root));
        }
        return out;
    }

    /** The tree of one {@code -o key=value} option. */
    static Tree.MapNode fromOption(String option) {
        int eq = option.indexOf('=');
        String key = eq < 0 ? option : option.substring(0, eq).strip();
        boolean secret = Schema.isSecretKey(key.substring(key.lastIndexOf('.') + 1));
        Origin root = Origin.override("option -o " + (secret || eq < 0 ? key : option));
        if (eq < 0) {
            throw root.error("expected key=value (e.g. -o ice.urls=stun:stun.example.org:3478)");
        }
        if (key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
            throw root.error("'" + key + "' is not a dotted key path (e.g. interfaces.wg0.listen_port)");
        }
        return chain(key, option.substring(eq + 1), root);
    }

    /** Nested maps along {@code path} ending in {@code value}. */
    private static Tree.MapNode chain(String path, String value, Origin root) {
        String[] parts = path.split("\\.");
        Origin leafOrigin = root.withPath(path);
        Tree node = value(value, leafOrigin);
        for (int i = parts.length - 1; i >= 0; i--) {
            String prefix = String.join(".", List.of(parts).subList(0, i));
            Origin here = root.withPath(prefix);
            Origin keyAt = root.withPath(prefix.isEmpty() ? parts[i] : prefix + "." + parts[i]);
            node = new Tree.MapNode(Map.of(parts[i], node), Map.of(parts[i], keyAt), here);
        }
        return (Tree.MapNode) node;
    }

    private static Tree value(String text, Origin at) {
        String s = text.strip();
        if (!s.isEmpty() && "[{\"'".indexOf(s.charAt(0)) >= 0) {
            Tree t = YamlTrees.parse(s, at);
            return t == null ? new Tree.Scalar(null, true, at) : t;
        }
        // "" stays an empty string, so that CUNICU_ICE_INTERFACES_EXCLUDE= clears a list;
        // null and ~ unset a key (back to its default)
        return new Tree.Scalar(!s.isEmpty() && YamlTrees.isNullWord(s) ? null : s, true, at);
    }
}
