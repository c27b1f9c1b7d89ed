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
 * is any dotted path ({@code interfaces.wg0.peers.bob.endpoint}; a segment holding dots is
 * quoted: {@code interfaces."eth0.100".mtu}). A value for a key that
 * holds a list or map is YAML when it starts with {@code [}, <code>{</code>, {@code "} or
 * {@code '}, else a string the schema splits at commas for a list (an empty one is an empty
 * list); any other value is taken byte for byte; {@code null} or {@code ~} sets a key back to
 * its default. Stateless.
 */
final class Overrides {
    static final String ENV_PREFIX = "CUNICU_";
    /** Variables with the prefix that are not configuration keys (cunīcu's config file path). */
    static final Set<String> IGNORED_ENV = Set.of("CUNICU_CONFIG");

    private static final Map<String, String> ENV_TO_PATH;

    static {
        ENV_TO_PATH = envNames(Schema.ENV_PATHS);
    }

    private Overrides() {}

    /**
     * Variable name to key path for {@code paths}.
     *
     * @throws IllegalStateException when two paths map to the same variable (a schema bug:
     *     one of them could never be set from the environment)
     */
    static Map<String, String> envNames(List<String> paths) {
        Map<String, String> m = new TreeMap<>();
        for (String path : paths) {
            String other = m.put(envName(path), path);
            if (other != null && !other.equals(path)) {
                throw new IllegalStateException("key paths " + other + " and " + path + " both map to environment variable "
                        + envName(path));
            }
        }
        return Map.copyOf(m);
    }

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
        int eq = unquotedEquals(option);
        if (eq < 0) {
            throw Origin.override(label(option)).error("expected key=value (e.g. -o ice.urls=stun:stun.example.org:3478)");
        }
        String key = option.substring(0, eq).strip();
        List<String> segments = segments(key);
        if (segments == null) {
            throw Origin.override(label(key)).error("not a dotted key path (e.g. interfaces.wg0.listen_port; quote a "
                    + "segment that holds dots: interfaces.\"eth0.100\".mtu)");
        }
        return chain(segments, option.substring(eq + 1), Origin.override("option -o " + key));
    }

    /** The first {@code =} outside double quotes, or -1. */
    private static int unquotedEquals(String option) {
        boolean quoted = false;
        for (int i = 0; i < option.length(); i++) {
            char c = option.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '=' && !quoted) {
                return i;
            }
        }
        return -1;
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

    /**
     * The segments of a dotted key path, or null when {@code key} is not one: non-empty
     * segments of name characters (no spaces, ':', '/', quotes or '='), or a segment in double
     * quotes that may hold anything printable but a quote ({@code interfaces."eth0.100".mtu}).
     */
    static List<String> segments(String key) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            int end;
            String segment;
            if (i < key.length() && key.charAt(i) == '"') {
                end = key.indexOf('"', i + 1);
                if (end < 0) {
                    return null;
                }
                segment = key.substring(i + 1, end);
                if (segment.isEmpty() || segment.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    return null;
                }
                end++;
            } else {
                end = i;
                while (end < key.length() && key.charAt(end) != '.') {
                    if (!isNameChar(key.charAt(end))) {
                        return null;
                    }
                    end++;
                }
                segment = key.substring(i, end);
                if (segment.isEmpty()) {
                    return null;
                }
            }
            out.add(segment);
            if (end == key.length()) {
                return List.copyOf(out);
            }
            if (key.charAt(end) != '.' || end + 1 == key.length()) {
                return null;
            }
            i = end + 1;
        }
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_-*?[]!^+@%,~".indexOf(c) >= 0;
    }

    /** Nested maps along {@code path} ending in {@code value}. */
    private static Tree.MapNode chain(String path, String value, Origin root) {
        return chain(List.of(path.split("\\.")), value, root);
    }

    /** Nested maps along the key {@code segments} ending in {@code value}. */
    private static Tree.MapNode chain(List<String> segments, String value, Origin root) {
        Origin leafOrigin = root.withPath(String.join(".", segments));
        Tree node = value(value, Schema.shape(segments), leafOrigin);
        for (int i = segments.size() - 1; i >= 0; i--) {
            String prefix = String.join(".", segments.subList(0, i));
            Origin here = root.withPath(prefix);
            String key = segments.get(i);
            Origin keyAt = root.withPath(prefix.isEmpty() ? key : prefix + "." + key);
            node = new Tree.MapNode(Map.of(key, node), Map.of(key, keyAt), here);
        }
        return (Tree.MapNode) node;
    }

    /**
     * The value of an override: for a key that holds a list or a map, YAML when it starts with
     * {@code [}, <code>{</code>, {@code "} or {@code '} (else one string, which the schema splits
     * at commas for a list); for every other key the text exactly as given, so that a password
     * or an endpoint such as {@code [2001:db8::1]:51820} is never read as YAML. {@code null}
     * and {@code ~} unset a key (back to its default); an empty value stays an empty string, so
     * that {@code CUNICU_ICE_INTERFACES_EXCLUDE=} clears a list.
     */
    private static Tree value(String text, Schema.Shape shape, Origin at) {
        if (shape == Schema.Shape.SCALAR) {
            return new Tree.Scalar(!text.isEmpty() && YamlTrees.isNullWord(text) ? null : text, true, at);
        }
        String s = text.strip();
        if (!s.isEmpty() && "[{\"'".indexOf(s.charAt(0)) >= 0) {
            Tree t = YamlTrees.parse(s, at);
            return t == null ? new Tree.Scalar(null, true, at) : t;
        }
        return new Tree.Scalar(!s.isEmpty() && YamlTrees.isNullWord(s) ? null : s, true, at);
    }
}
