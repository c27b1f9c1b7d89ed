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

    /**
     * One tree per {@code CUNICU_*} variable of {@code env}, in name order. A variable with the
     * prefix that sets no known key does not stop the daemon (the environment is shared with
     * other programs and scripts): it is ignored with a warning added to {@code warnings}.
     */
    static List<Tree.MapNode> fromEnv(Map<String, String> env, List<String> warnings) {
        List<Tree.MapNode> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || IGNORED_ENV.contains(name)) {
                continue;
            }
            String path = ENV_TO_PATH.get(name);
            if (path == null) {
                String hint = Suggest.closest(name, List.copyOf(ENV_TO_PATH.keySet()));
                warnings.add("environment variable " + name + ": not a configuration variable, ignored"
                        + (hint != null ? " (did you mean " + hint + "?)" : ""));
                continue;
            }
            out.add(chain(path, e.getValue(), Origin.override("environment variable " + name)));
        }
        return out;
    }

    /**
     * The tree of one {@code -o key=value} option. Errors name the option by its key alone
     * ({@code option -o ice.urls}), never by its value, which may hold a secret; when there is
     * no valid key, by the leading run of key characters only.
     */
    static Tree.MapNode fromOption(String option) {
        int eq = option.indexOf('=');
        if (eq < 0) {
            throw Origin.override(label(option)).error("expected key=value (e.g. -o ice.urls=stun:stun.example.org:3478)");
        }
        String key = option.substring(0, eq).strip();
        if (!isKeyPath(key)) {
            throw Origin.override(label(key)).error("not a dotted key path (e.g. interfaces.wg0.listen_port)");
        }
        return chain(key, option.substring(eq + 1), Origin.override("option -o " + key));
    }

    /** {@code option -o} and the leading run of {@code [a-z0-9_.*]} of {@code text}. */
    private static String label(String text) {
        int n = 0;
        while (n < text.length() && isSafeLabelChar(text.charAt(n))) {
            n++;
        }
        return n == 0 ? "option -o (no key)" : "option -o " + text.substring(0, n);
    }

    private static boolean isSafeLabelChar(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '*';
    }

    /** Dot-separated non-empty segments of name characters (no spaces, ':', '/', quotes or '='). */
    private static boolean isKeyPath(String key) {
        if (key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "._-*?[]!^+@%,~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
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
