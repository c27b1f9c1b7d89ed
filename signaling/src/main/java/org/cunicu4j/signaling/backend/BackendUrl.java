package org.cunicu4j.signaling.backend;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed signaling backend URL: {@code grpc://host:port[?insecure=true]},
 * {@code inprocess:[name]}, {@code multicast://group:port[?interface=eth0]}, ...
 *
 * <p>Hierarchical URLs ({@code scheme://host:port/path?query}) give {@link #host()},
 * {@link #port()} and {@link #path()}; opaque ones ({@code scheme:name?query}) give
 * {@link #opaque()}. Query parameters are decoded; a parameter without '=' has the value
 * "". Immutable. Errors are {@link IllegalArgumentException}s that quote the URL.
 */
public final class BackendUrl {

    private final String text;
    private final String scheme;
    private final String host;
    private final int port;
    private final String path;
    private final String opaque;
    private final Map<String, String> params;

    private BackendUrl(String text, String scheme, String host, int port, String path, String opaque,
            Map<String, String> params) {
        this.text = text;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.path = path;
        this.opaque = opaque;
        this.params = Collections.unmodifiableMap(params);
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException when it has no scheme or is not a URL
     */
    public static BackendUrl parse(String text) {
        Objects.requireNonNull(text, "url");
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon <= 0 || !isScheme(t.substring(0, colon))) {
            throw new IllegalArgumentException(quote(text) + ": no scheme (expected e.g. grpc://host:port)");
        }
        String scheme = t.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = t.substring(colon + 1);
        if (!rest.startsWith("//")) {
            // opaque: scheme:[name][?query]; java.net.URI rejects an empty name, so split by hand
            int q = rest.indexOf('?');
            String name = decode(text, q < 0 ? rest : rest.substring(0, q));
            Map<String, String> params = q < 0 ? new LinkedHashMap<>() : parseQuery(text, rest.substring(q + 1));
            return new BackendUrl(text, scheme, null, -1, "", name, params);
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(quote(text) + ": not a URL (" + e.getReason() + " at index "
                    + e.getIndex() + ")", e);
        }
        if (uri.getRawAuthority() != null && uri.getHost() == null) {
            throw new IllegalArgumentException(quote(text) + ": cannot read host[:port] from '"
                    + uri.getRawAuthority() + "'");
        }
        String host = uri.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Map<String, String> params = uri.getRawQuery() == null ? new LinkedHashMap<>()
                : parseQuery(text, uri.getRawQuery());
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new BackendUrl(text, scheme, host, uri.getPort(), path, "", params);
    }

    private static boolean isScheme(String s) {
        if (!Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> parseQuery(String text, String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = decode(text, eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : decode(text, part.substring(eq + 1));
            if (params.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException(quote(text) + ": parameter '" + name + "' given twice");
            }
        }
        return params;
    }

    private static String decode(String text, String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(quote(text) + ": bad %-escape in '" + s + "'", e);
        }
    }

    private static String quote(String text) {
        return "signaling backend URL '" + text + "'";
    }

    /** The scheme, lower case. */
    public String scheme() {
        return scheme;
    }

    /** The host of a hierarchical URL without IPv6 brackets, or empty. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    /** The port of a hierarchical URL, or -1. */
    public int port() {
        return port;
    }

    /** The path of a hierarchical URL ("" if none). */
    public String path() {
        return path;
    }

    /** The part after "scheme:" of an opaque URL, without the query ("" if none). */
    public String opaque() {
        return opaque;
    }

    /** The decoded query parameters in URL order. */
    public Map<String, String> params() {
        return params;
    }

    /** The value of parameter {@code name}, if given. */
    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** The host, or an error naming the URL. */
    public String requireHost() {
        if (host == null || host.isEmpty()) {
            throw error("no host (expected " + scheme + "://host:port)");
        }
        return host;
    }

    /** The port, or an error naming the URL. */
    public int requirePort() {
        if (port < 0) {
            throw error("no port (expected " + scheme + "://host:port)");
        }
        if (port == 0 || port > 65535) {
            throw error("port " + port + " out of range 1..65535");
        }
        return port;
    }

    /**
     * A boolean parameter: absent gives {@code fallback}; "true", "1", "yes" or "" (bare
     * name) give true; "false", "0", "no" give false; anything else is an error.
     */
    public boolean flag(String name, boolean fallback) {
        String v = params.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw error("parameter " + name + "=" + v + " is not a boolean (true or false)");
        };
    }

    /** Fails naming the first parameter that is not in {@code known}. */
    public void requireOnlyParams(Set<String> known) {
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw error("unknown parameter '" + name + "' (known: "
                        + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ")");
            }
        }
    }

    /** An {@link IllegalArgumentException} that quotes this URL, for factories' own checks. */
    public IllegalArgumentException error(String what) {
        return new IllegalArgumentException(quote(text) + ": " + what);
    }

    /** The URL as given. */
    @Override
    public String toString() {
        return text;
    }
}
