package org.cunicu4j.e2e.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.cunicu4j.testlab.mesh.Json;

/**
 * What a test reads from {@code cunicu4j status --json}: the interfaces and, per peer, its
 * state, proxy mode and the selected pair's candidate types. Member names are looked up in
 * camelCase and in snake_case, so the view does not break over that choice of the control
 * socket's writer. Immutable; thread-safe.
 */
public final class StatusView {
    private final Map<String, Object> root;
    private final String json;

    private StatusView(Map<String, Object> root, String json) {
        this.root = root;
        this.json = json;
    }

    /** Parses the output of {@code cunicu4j status --json}. */
    @SuppressWarnings("unchecked")
    public static StatusView parse(String json) {
        Object v = Json.parse(json.strip());
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("status JSON is not an object: " + json);
        }
        return new StatusView((Map<String, Object>) m, json);
    }

    /** The JSON text as read, for assertion messages. */
    public String json() {
        return json;
    }

    /** The top-level object. */
    public Map<String, Object> root() {
        return root;
    }

    /** Every interface object. */
    public List<Map<String, Object>> interfaces() {
        return maps(get(root, "interfaces"));
    }

    /** The interface named {@code name}, or empty. */
    public Optional<Map<String, Object>> iface(String name) {
        return interfaces().stream().filter(i -> name.equals(string(i, "name"))).findFirst();
    }

    /** The proxy mode of interface {@code name} lower-cased, or null. */
    public String interfaceProxyMode(String name) {
        String s = iface(name).map(i -> string(i, "proxyMode")).orElse(null);
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** Why interface {@code name} has its proxy mode (the selection's fallbacks, or the key that forced it), or null. */
    public String interfaceProxyReason(String name) {
        return iface(name).map(i -> string(i, "proxyReason")).orElse(null);
    }

    /** Every peer of every interface. */
    public List<Peer> peers() {
        List<Peer> all = new ArrayList<>();
        for (Map<String, Object> i : interfaces()) {
            String iface = string(i, "name");
            for (Map<String, Object> p : maps(get(i, "peers"))) {
                all.add(new Peer(iface, p));
            }
        }
        return all;
    }

    /** The peer whose public key or configured name is {@code keyOrName}. */
    public Optional<Peer> peer(String keyOrName) {
        return peers().stream().filter(p -> keyOrName.equals(p.publicKey()) || keyOrName.equals(p.name())).findFirst();
    }

    /**
     * The first number found under a member named {@code name} (camelCase or snake_case) anywhere
     * in the document, depth first; for counters whose place is not fixed here.
     */
    public Optional<Long> findNumber(String name) {
        return findNumber(root, name);
    }

    private static Optional<Long> findNumber(Object node, String name) {
        if (node instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                if (matches((String) e.getKey(), name) && e.getValue() instanceof Number n) {
                    return Optional.of(n.longValue());
                }
            }
            for (Object v : m.values()) {
                Optional<Long> r = findNumber(v, name);
                if (r.isPresent()) {
                    return r;
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object v : l) {
                Optional<Long> r = findNumber(v, name);
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        return Optional.empty();
    }

    /** One peer session as the status reports it. */
    public record Peer(String iface, Map<String, Object> raw) {
        public String name() {
            return string(raw, "name");
        }

        public String publicKey() {
            return string(raw, "publicKey");
        }

        /** The state upper-cased ({@code CONNECTED}, ...), or null. */
        public String state() {
            String s = string(raw, "state");
            return s == null ? null : s.toUpperCase(Locale.ROOT);
        }

        /** The proxy mode lower-cased ({@code bind}, {@code user}, ...), or null. */
        public String proxyMode() {
            String s = string(raw, "proxyMode");
            return s == null ? null : s.toLowerCase(Locale.ROOT);
        }

        /** Why that proxy mode serves this peer, or null. */
        public String proxyReason() {
            return string(raw, "proxyReason");
        }

        /** The selected pair's local candidate type lower-cased ({@code host}, {@code srflx}, ...), or null. */
        public String localType() {
            return pairField("localType");
        }

        /** The selected pair's remote candidate type lower-cased, or null. */
        public String remoteType() {
            return pairField("remoteType");
        }

        /** The selected pair's remote address ({@code selected_pair.remote.ip}), or null. */
        @SuppressWarnings("unchecked")
        public String remoteIp() {
            if (get(raw, "selectedPair") instanceof Map<?, ?> pair
                    && ((Map<String, Object>) pair).get("remote") instanceof Map<?, ?> remote) {
                return string((Map<String, Object>) remote, "ip");
            }
            return null;
        }

        public long restarts() {
            return get(raw, "restarts") instanceof Number n ? n.longValue() : 0;
        }

        /**
         * {@code selected_pair.local.type} (the control socket's layout: a candidate object per
         * end), else {@code selected_pair.local_type}.
         */
        @SuppressWarnings("unchecked")
        private String pairField(String field) {
            if (!(get(raw, "selectedPair") instanceof Map<?, ?> pair)) {
                return null;
            }
            String end = field.substring(0, field.length() - "Type".length());
            String s = ((Map<String, Object>) pair).get(end) instanceof Map<?, ?> candidate
                    ? string((Map<String, Object>) candidate, "type")
                    : string((Map<String, Object>) pair, field);
            return s == null ? null : s.toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return iface + "/" + (name() != null ? name() : publicKey()) + " " + state() + " " + proxyMode() + " "
                    + localType() + "-" + remoteType();
        }
    }

    /** {@code m.get(camel)}, else {@code m.get(snake_case of camel)}. */
    static Object get(Map<String, Object> m, String camel) {
        Object v = m.get(camel);
        return v != null ? v : m.get(snake(camel));
    }

    static String string(Map<String, Object> m, String camel) {
        Object v = get(m, camel);
        return v == null ? null : v.toString();
    }

    private static boolean matches(String key, String camel) {
        return key.equals(camel) || key.equals(snake(camel));
    }

    static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object v) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m) {
                    out.add((Map<String, Object>) m);
                }
            }
        }
        return out;
    }
}
