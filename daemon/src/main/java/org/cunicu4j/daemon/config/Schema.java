package org.cunicu4j.daemon.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.signaling.backend.BackendUrl;
import org.cunicu4j.stun.url.ServerUrl;
import org.cunicu4j.wireguard.Key;

/**
 * The keys the configuration knows, where they may appear and how each value is typed and
 * checked; turns a {@link Tree} into {@link DaemonConfig} and {@link InterfaceConfig}. Every
 * problem is a {@link ConfigException} at the offending node's origin. Values of secret keys
 * ({@code private_key}, {@code preshared_key}, {@code password}) are never echoed. Stateless.
 */
final class Schema {
    static final List<String> DAEMON_KEYS = List.of("backends", "watch_interval", "rpc", "log", "interfaces");
    static final List<String> INTERFACE_KEYS = List.of("private_key", "listen_port", "listen_port_range", "userspace",
            "mtu", "addresses", "peers", "ice", "proxy", "prefixes", "community", "discover_peers", "whitelist", "blacklist",
            "hostname");
    static final List<String> PEER_KEYS = List.of("public_key", "preshared_key", "endpoint", "allowed_ips",
            "persistent_keepalive");
    static final List<String> ICE_KEYS = List.of("urls", "candidate_types", "network_types", "check_interval",
            "disconnected_timeout", "failed_timeout", "keepalive_interval", "interfaces_include", "interfaces_exclude",
            "username", "password");
    static final List<String> RPC_KEYS = List.of("socket");
    static final List<String> LOG_KEYS = List.of("level");
    static final List<String> PORT_RANGE_KEYS = List.of("min", "max");
    static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error");

    /** The ICE agent's consent-freshness interval, which disconnected_timeout must exceed. */
    private static final Duration CONSENT_INTERVAL = IceConfig.defaults().consentInterval();

    /** The kernel removes a link's IPv6 addresses below this MTU (RFC 8200's minimum). */
    private static final int IPV6_MIN_MTU = 1280;

    /** Keys of cunīcu's configuration that cunicu4j does not implement. */
    static final Set<String> UNSUPPORTED_CUNICU_KEYS = Set.of("hooks", "fwmark", "routing_table", "sync_routes",
            "watch_routes", "sync_config", "sync_hosts", "domain", "port_forwarding", "wait");

    /** The leaf key paths that {@code CUNICU_*} environment variables can set. */
    static final List<String> ENV_PATHS;

    static {
        List<String> paths = new ArrayList<>(List.of("backends", "watch_interval", "rpc.socket", "log.level"));
        for (String k : INTERFACE_KEYS) {
            switch (k) {
                case "peers" -> { }
                case "ice" -> ICE_KEYS.forEach(i -> paths.add("ice." + i));
                case "listen_port_range" -> paths.addAll(List.of(k, k + ".min", k + ".max"));
                default -> paths.add(k);
            }
        }
        ENV_PATHS = List.copyOf(paths);
    }

    private Schema() {}

    /** What a key path holds: the overrides read YAML only for lists and maps. */
    enum Shape { SCALAR, LIST, MAP }

    static final Set<String> ICE_LIST_KEYS = Set.of("urls", "candidate_types", "network_types", "interfaces_include",
            "interfaces_exclude");

    /** The shape of the value at the key {@code path} (unknown paths: a scalar). */
    static Shape shape(List<String> path) {
        if (path.isEmpty()) {
            return Shape.MAP;
        }
        int n = path.size();
        return switch (path.get(0)) {
            case "backends" -> n == 1 ? Shape.LIST : Shape.SCALAR;
            case "rpc", "log" -> n == 1 ? Shape.MAP : Shape.SCALAR;
            case "interfaces" -> n <= 2 ? Shape.MAP : interfaceShape(path.subList(2, n));
            default -> interfaceShape(path);
        };
    }

    private static Shape interfaceShape(List<String> path) {
        int n = path.size();
        return switch (path.get(0)) {
            case "addresses", "prefixes", "whitelist", "blacklist" -> n == 1 ? Shape.LIST : Shape.SCALAR;
            case "listen_port_range" -> n == 1 ? Shape.MAP : Shape.SCALAR;
            case "ice" -> n == 1 ? Shape.MAP : n == 2 && ICE_LIST_KEYS.contains(path.get(1)) ? Shape.LIST : Shape.SCALAR;
            case "peers" -> n <= 2 ? Shape.MAP : n == 3 && path.get(2).equals("allowed_ips") ? Shape.LIST : Shape.SCALAR;
            default -> Shape.SCALAR;
        };
    }

    /** True for the keys whose values are secret and never echoed. */
    static boolean isSecretKey(String key) {
        return key.equals("private_key") || key.equals("preshared_key") || key.equals("password") || key.equals("community");
    }

    // ---------------------------------------------------------------- daemon level

    static DaemonConfig daemonConfig(Tree.MapNode root, Path source, List<String> warnings) {
        List<String> backends = List.of();
        Duration watchInterval = DaemonConfig.DEFAULT_WATCH_INTERVAL;
        Path rpcSocket = DaemonConfig.DEFAULT_RPC_SOCKET;
        String logLevel = DaemonConfig.DEFAULT_LOG_LEVEL;
        Map<String, Tree> defaults = new LinkedHashMap<>();
        Map<String, Origin> defaultKeys = new LinkedHashMap<>();
        List<Map.Entry<String, Tree.MapNode>> interfaces = new ArrayList<>();
        for (Map.Entry<String, Tree> e : root.entries().entrySet()) {
            String key = e.getKey();
            Tree v = e.getValue();
            if (INTERFACE_KEYS.contains(key)) {
                defaults.put(key, v);
                defaultKeys.put(key, root.keyOrigin(key));
                continue;
            }
            if (isNull(v)) {
                if (!DAEMON_KEYS.contains(key)) {
                    throw unknownKey(root, key, DAEMON_KEYS, INTERFACE_KEYS);
                }
                continue;
            }
            switch (key) {
                case "backends" -> backends = list(v, Schema::backendUrl);
                case "watch_interval" -> watchInterval = positiveDuration(v);
                case "rpc" -> {
                    Tree.MapNode rpc = map(v, "the rpc settings (socket)");
                    for (String k : rpc.entries().keySet()) {
                        Tree x = rpc.get(k);
                        if (!k.equals("socket")) {
                            throw unknownKey(rpc, k, RPC_KEYS, List.of());
                        }
                        if (!isNull(x)) {
                            rpcSocket = path(x);
                        }
                    }
                }
                case "log" -> {
                    Tree.MapNode log = map(v, "the log settings (level)");
                    for (String k : log.entries().keySet()) {
                        Tree x = log.get(k);
                        if (!k.equals("level")) {
                            throw unknownKey(log, k, LOG_KEYS, List.of());
                        }
                        if (!isNull(x)) {
                            logLevel = logLevel(x);
                        }
                    }
                }
                case "interfaces" -> {
                    Tree.MapNode ifs = map(v, "a map from interface names or globs to their settings");
                    for (Map.Entry<String, Tree> i : ifs.entries().entrySet()) {
                        interfaces.add(Map.entry(i.getKey(), interfaceEntry(ifs, i.getKey(), i.getValue())));
                    }
                }
                default -> throw unknownKey(root, key, DAEMON_KEYS, INTERFACE_KEYS);
            }
        }
        Tree.MapNode defaultsNode = new Tree.MapNode(defaults, defaultKeys, root.origin());
        // every entry is checked now, merged onto the defaults, so that a mistake in a
        // pattern that matches nothing yet is still reported at start-up
        interfaceConfig(defaultsNode);
        for (Map.Entry<String, Tree.MapNode> i : interfaces) {
            interfaceConfig(defaultsNode.mergedWith(i.getValue()));
        }
        DaemonConfig config = new DaemonConfig(backends, watchInterval, rpcSocket, logLevel, source, defaultsNode, interfaces,
                warnings);
        // the interfaces named outright get their merged settings checked now as well
        for (String name : config.explicitInterfaces()) {
            config.interfaceConfig(name);
        }
        return config;
    }

    private static Tree.MapNode interfaceEntry(Tree.MapNode ifs, String pattern, Tree v) {
        Origin at = ifs.keyOrigin(pattern);
        if (Glob.isGlob(pattern)) {
            try {
                Glob.compile(pattern);
            } catch (IllegalArgumentException e) {
                throw at.error(e.getMessage());
            }
        } else {
            String problem = ifnameProblem(pattern);
            if (problem != null) {
                throw at.error("'" + pattern + "' is not a valid interface name: " + problem);
            }
        }
        if (isNull(v)) {
            return Tree.MapNode.empty(v.origin());
        }
        return map(v, "the settings of interface(s) " + pattern);
    }

    /** Why {@code name} cannot be a Linux interface name (as the kernel's dev_valid_name), or null. */
    static String ifnameProblem(String name) {
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > 15) {
            return "it must have 1 to 15 bytes, '" + name + "' has " + bytes;
        }
        if (name.equals(".") || name.equals("..")) {
            return "'.' and '..' are not allowed";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c < 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "no spaces, control characters, '/' or ':'";
            }
        }
        return null;
    }

    private static String backendUrl(Tree t) {
        String s = text(t, "a signaling backend URL (e.g. grpc://host:8080)").strip();
        try {
            BackendUrl.parse(s);
        } catch (IllegalArgumentException e) {
            throw t.origin().error("not a signaling backend URL: " + e.getMessage());
        }
        return s;
    }

    private static Path path(Tree t) {
        String s = text(t, "a file path");
        if (s.isBlank()) {
            throw t.origin().error("expected a file path, got an empty string");
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw t.origin().error("'" + s + "' is not a valid path: " + e.getReason());
        }
    }

    private static String logLevel(Tree t) {
        String s = text(t, "a log level").strip().toLowerCase(Locale.ROOT);
        if (s.equals("warning")) {
            s = "warn";
        }
        if (!LOG_LEVELS.contains(s)) {
            throw t.origin().error(show(t) + " is not a log level (expected one of " + String.join(", ", LOG_LEVELS) + ")");
        }
        return s;
    }

    // ---------------------------------------------------------------- interface level

    /** Types the interface keys of {@code m} (top-level defaults, possibly merged with patterns). */
    static InterfaceConfig interfaceConfig(Tree.MapNode m) {
        InterfaceConfig d = InterfaceConfig.DEFAULT;
        Key privateKey = d.privateKey();
        Integer listenPort = d.listenPort();
        PortRange range = d.listenPortRange();
        boolean userspace = d.userspace();
        Integer mtu = d.mtu();
        List<IpPrefix> addresses = d.addresses();
        Map<String, PeerConfig> peers = d.peers();
        IceSettings ice = d.ice();
        Optional<ProxyMode> proxy = d.proxy();
        List<IpPrefix> prefixes = d.prefixes();
        String community = d.community();
        boolean discoverPeers = d.discoverPeers();
        List<Key> whitelist = d.whitelist();
        List<Key> blacklist = d.blacklist();
        String hostname = d.hostname();
        for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
            Tree v = e.getValue();
            String key = e.getKey();
            if (!INTERFACE_KEYS.contains(key)) {
                throw unknownKey(m, key, INTERFACE_KEYS, List.of());
            }
            if (isNull(v)) {
                continue;
            }
            switch (key) {
                case "private_key" -> privateKey = key(v, Key.Type.PRIVATE);
                case "listen_port" -> listenPort = integer(v, 1, 65535);
                case "listen_port_range" -> range = portRange(v);
                case "userspace" -> userspace = bool(v);
                case "mtu" -> mtu = integer(v, 576, 65535);
                case "addresses" -> addresses = list(v, Schema::prefix);
                case "peers" -> peers = peers(v);
                case "ice" -> ice = ice(v);
                case "proxy" -> proxy = proxy(v);
                case "prefixes" -> prefixes = list(v, Schema::derivationPrefix);
                case "community" -> community = text(v, "a community passphrase");
                case "discover_peers" -> discoverPeers = bool(v);
                case "whitelist" -> whitelist = list(v, x -> key(x, Key.Type.PUBLIC));
                case "blacklist" -> blacklist = list(v, x -> key(x, Key.Type.PUBLIC));
                case "hostname" -> hostname = hostname(v);
                default -> throw new AssertionError(key);
            }
        }
        if (mtu != null && mtu < IPV6_MIN_MTU) {
            for (IpPrefix p : prefixes) {
                if (!p.isIpv4()) {
                    // blame the one written last: a pattern's prefixes over the top level's mtu, and so on
                    boolean prefixesLast = set(m, "prefixes") && writtenAfter(m.get("prefixes").origin(), m.get("mtu").origin());
                    Tree at = prefixesLast ? m.get("prefixes") : m.get("mtu");
                    throw at.origin().error("mtu " + mtu + (prefixesLast ? " (" + writtenAt(m.get("mtu")) + ")" : "")
                            + " is below " + IPV6_MIN_MTU + ", the least a link keeps IPv6 addresses at, but prefixes has the IPv6 prefix "
                            + p.masked() + (set(m, "prefixes") ? "" : " (a default)")
                            + ": raise mtu or set prefixes without IPv6 ones");
                }
            }
        }
        return new InterfaceConfig(privateKey, listenPort, range, userspace, mtu, addresses, peers, ice, proxy, prefixes,
                community, discoverPeers, whitelist, blacklist, hostname);
    }

    private static PortRange portRange(Tree t) {
        PortRange d = PortRange.DEFAULT;
        if (t instanceof Tree.MapNode m) {
            int min = d.min();
            int max = d.max();
            Tree minAt = null;
            Tree maxAt = null;
            for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
                if (!PORT_RANGE_KEYS.contains(e.getKey())) {
                    throw unknownKey(m, e.getKey(), PORT_RANGE_KEYS, List.of());
                }
                if (isNull(e.getValue())) {
                    continue;
                }
                int p = integer(e.getValue(), 1, 65535);
                if (e.getKey().equals("min")) {
                    min = p;
                    minAt = e.getValue();
                } else {
                    max = p;
                    maxAt = e.getValue();
                }
            }
            if (min > max) {
                // min and max may come from different places (file, variable, option, pattern)
                throw t.origin().error("min " + min + " (" + writtenAt(minAt) + ") is greater than max " + max
                        + " (" + writtenAt(maxAt) + ")");
            }
            return new PortRange(min, max);
        }
        String s = text(t, "a port range: {min: 51820, max: 51899} or 51820-51899").strip();
        int dash = s.indexOf('-');
        if (dash < 0) {
            dash = s.indexOf(':');
        }
        try {
            int min = Integer.parseInt(s.substring(0, dash).strip());
            int max = Integer.parseInt(s.substring(dash + 1).strip());
            return new PortRange(min, max);
        } catch (RuntimeException e) {
            throw t.origin().error("'" + s + "' is not a port range (expected MIN-MAX with 1 <= MIN <= MAX <= 65535, or {min: ..., max: ...})");
        }
    }

    /** Where {@code t} was written, for messages: {@code file:line:column}, the variable or option, or the default. */
    private static String writtenAt(Tree t) {
        if (t == null) {
            return "the default";
        }
        Origin o = t.origin();
        return o.line() > 0 ? o.source() + ":" + o.line() + ":" + o.column() : o.source();
    }

    /**
     * {@code m} with every {@code listen_port_range} written as one string {@code MIN-MAX} (or
     * {@code MIN:MAX}) turned into {@code {min, max}} at the string's origin, so that a later
     * {@code min} or {@code max} (an environment variable, an option, a pattern) replaces only
     * its half instead of the whole range. Strings of another form are left for
     * {@link #portRange} to report.
     */
    static Tree.MapNode normalizePortRanges(Tree.MapNode m) {
        Map<String, Tree> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
            Tree v = e.getValue();
            if (e.getKey().equals("listen_port_range") && v instanceof Tree.Scalar s && !s.isNull()) {
                v = rangeAsMap(s);
            } else if (v instanceof Tree.MapNode child) {
                v = normalizePortRanges(child);
            }
            out.put(e.getKey(), v);
        }
        return new Tree.MapNode(out, m.keys(), m.origin());
    }

    private static Tree rangeAsMap(Tree.Scalar s) {
        String text = s.text().strip();
        int dash = text.indexOf('-');
        if (dash < 0) {
            dash = text.indexOf(':');
        }
        if (dash <= 0) {
            return s;
        }
        String min = text.substring(0, dash).strip();
        String max = text.substring(dash + 1).strip();
        if (!isDigits(min) || !isDigits(max)) {
            return s;
        }
        Origin o = s.origin();
        Map<String, Tree> entries = new LinkedHashMap<>();
        Map<String, Origin> keys = new LinkedHashMap<>();
        entries.put("min", new Tree.Scalar(min, true, o.withPath(o.path() + ".min")));
        entries.put("max", new Tree.Scalar(max, true, o.withPath(o.path() + ".max")));
        keys.put("min", o.withPath(o.path() + ".min"));
        keys.put("max", o.withPath(o.path() + ".max"));
        return new Tree.MapNode(entries, keys, o);
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static Map<String, PeerConfig> peers(Tree t) {
        Tree.MapNode m = map(t, "a map from peer names to their settings");
        Map<String, PeerConfig> out = new LinkedHashMap<>();
        Map<Key, String> byKey = new LinkedHashMap<>();
        for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
            PeerConfig p = peer(e.getKey(), e.getValue(), m.keyOrigin(e.getKey()));
            String other = byKey.putIfAbsent(p.publicKey(), p.name());
            if (other != null) {
                throw e.getValue().origin().withPath(e.getValue().origin().path() + ".public_key")
                        .error("the same public key as peer '" + other + "'");
            }
            out.put(e.getKey(), p);
        }
        return out;
    }

    private static PeerConfig peer(String name, Tree t, Origin keyAt) {
        if (isNull(t)) {
            throw keyAt.withPath(keyAt.path() + ".public_key").error("required: the peer's base64 public key");
        }
        Tree.MapNode m = map(t, "the peer's settings (public_key, endpoint, allowed_ips, ...)");
        Key publicKey = null;
        Key psk = null;
        String endpoint = null;
        List<IpPrefix> allowed = List.of();
        Duration keepalive = null;
        for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
            String key = e.getKey();
            Tree v = e.getValue();
            if (!PEER_KEYS.contains(key)) {
                throw unknownKey(m, key, PEER_KEYS, List.of());
            }
            if (isNull(v)) {
                continue;
            }
            switch (key) {
                case "public_key" -> publicKey = key(v, Key.Type.PUBLIC);
                case "preshared_key" -> psk = key(v, Key.Type.PRESHARED);
                case "endpoint" -> endpoint = endpoint(v);
                case "allowed_ips" -> allowed = list(v, Schema::prefix);
                case "persistent_keepalive" -> keepalive = keepalive(v);
                default -> throw new AssertionError(key);
            }
        }
        if (publicKey == null) {
            throw m.origin().withPath(m.origin().path() + ".public_key").error("required: the peer's base64 public key");
        }
        return new PeerConfig(name, publicKey, psk, endpoint, allowed, keepalive);
    }

    private static Duration keepalive(Tree t) {
        Duration d = duration(t);
        if (d.isZero()) {
            return null;
        }
        if (d.toNanosPart() != 0 || d.getSeconds() > 65535) {
            throw t.origin().error(show(t) + " is not a persistent keepalive (expected whole seconds 0..65535; 0 is off)");
        }
        return d;
    }

    /** {@code host:port} or {@code [v6]:port}. */
    private static String endpoint(Tree t) {
        String s = text(t, "an endpoint host:port").strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw t.origin().error("'" + s + "' is not an endpoint (expected [IPv6]:PORT)");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw t.origin().error("'" + s + "' is not an endpoint (expected HOST:PORT)");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw t.origin().error("'" + s + "' is not an endpoint (write an IPv6 address in brackets: [ADDR]:PORT)");
            }
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == 0x7f)) {
            throw t.origin().error("'" + s + "' is not an endpoint (the host is empty or has spaces or '/')");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw t.origin().error("'" + s + "' is not an endpoint (the port must be 1..65535)");
        }
        return s;
    }

    private static IceSettings ice(Tree t) {
        Tree.MapNode m = map(t, "the ICE settings (urls, candidate_types, ...)");
        IceSettings d = IceSettings.DEFAULT;
        List<String> urls = d.urls();
        Set<CandidateType> types = d.candidateTypes();
        Set<NetworkType> networks = d.networkTypes();
        Duration check = d.checkInterval();
        Duration disconnected = d.disconnectedTimeout();
        Duration failed = d.failedTimeout();
        Duration keepalive = d.keepaliveInterval();
        List<String> include = d.interfacesInclude();
        List<String> exclude = d.interfacesExclude();
        String username = d.username();
        String password = d.password();
        for (Map.Entry<String, Tree> e : m.entries().entrySet()) {
            String key = e.getKey();
            Tree v = e.getValue();
            if (!ICE_KEYS.contains(key)) {
                throw unknownKey(m, key, ICE_KEYS, List.of());
            }
            if (isNull(v)) {
                continue;
            }
            switch (key) {
                case "urls" -> urls = list(v, Schema::iceUrl);
                case "candidate_types" -> types = enumSet(v, CandidateType.class, list(v, Schema::candidateType));
                case "network_types" -> networks = enumSet(v, NetworkType.class, list(v, Schema::networkType));
                case "check_interval" -> check = positiveDuration(v);
                case "disconnected_timeout" -> disconnected = positiveDuration(v);
                case "failed_timeout" -> failed = positiveDuration(v);
                case "keepalive_interval" -> keepalive = positiveDuration(v);
                case "interfaces_include" -> include = list(v, x -> glob(x));
                case "interfaces_exclude" -> exclude = list(v, x -> glob(x));
                case "username" -> username = text(v, "a TURN user name");
                case "password" -> password = text(v, "a TURN password");
                default -> throw new AssertionError(key);
            }
        }
        IceSettings settings = new IceSettings(urls, types, networks, check, disconnected, failed, keepalive, include, exclude,
                username, password);
        checkAgentAccepts(m, settings);
        return settings;
    }

    /**
     * Builds the ICE agent's {@link IceConfig} from {@code s} now, so that timings the agent
     * refuses are reported at load time at the key that was written, not when a peer connects.
     */
    private static void checkAgentAccepts(Tree.MapNode m, IceSettings s) {
        Duration consent = CONSENT_INTERVAL;
        if (s.failedTimeout().compareTo(s.disconnectedTimeout()) < 0) {
            // blame the one written last (a pattern's over the top level's, an override's over the file's)
            Tree at = !set(m, "failed_timeout") ? m.get("disconnected_timeout")
                    : !set(m, "disconnected_timeout") ? m.get("failed_timeout")
                    : writtenAfter(m.get("disconnected_timeout").origin(), m.get("failed_timeout").origin())
                            ? m.get("disconnected_timeout") : m.get("failed_timeout");
            throw at.origin().error("failed_timeout (" + s.failedTimeout().toMillis() + "ms" + (set(m, "failed_timeout") ? "" : ", the default")
                    + ") must not be shorter than disconnected_timeout (" + s.disconnectedTimeout().toMillis() + "ms"
                    + (set(m, "disconnected_timeout") ? "" : ", the default") + ")");
        }
        if (s.disconnectedTimeout().compareTo(consent) <= 0 && set(m, "disconnected_timeout")) {
            throw m.get("disconnected_timeout").origin().error("disconnected_timeout (" + s.disconnectedTimeout().toMillis()
                    + "ms) must be longer than the ICE consent interval (" + consent.toMillis()
                    + "ms, RFC 7675): every consent check would come too late");
        }
        try {
            s.iceConfig().build();
        } catch (IllegalArgumentException e) {
            throw m.origin().error("not accepted by the ICE agent: " + e.getMessage(), e);
        }
    }

    /** True when {@code a} was written after {@code b}: an override after the file, a later line of the same file. */
    private static boolean writtenAfter(Origin a, Origin b) {
        if (a.override() != b.override()) {
            return a.override();
        }
        return a.source().equals(b.source()) && (a.line() > b.line() || a.line() == b.line() && a.column() > b.column());
    }

    private static boolean set(Tree.MapNode m, String key) {
        return m.get(key) != null && !isNull(m.get(key));
    }

    private static String iceUrl(Tree t) {
        String s = text(t, "a STUN or TURN URL (stun:host:port, turn:host:port?transport=udp)").strip();
        try {
            ServerUrl.parse(s);
        } catch (IllegalArgumentException e) {
            throw t.origin().error(e.getMessage());
        }
        return s;
    }

    private static CandidateType candidateType(Tree t) {
        String s = text(t, "a candidate type").strip().toLowerCase(Locale.ROOT);
        for (CandidateType c : CandidateType.values()) {
            if (c.sdpName().equals(s)) {
                return c;
            }
        }
        throw t.origin().error(show(t) + " is not a candidate type (expected host, srflx, prflx or relay)");
    }

    private static NetworkType networkType(Tree t) {
        String s = text(t, "a network type").strip().toLowerCase(Locale.ROOT);
        for (NetworkType n : NetworkType.values()) {
            if (n.configName().equals(s)) {
                return n;
            }
        }
        if (s.equals("tcp4") || s.equals("tcp6")) {
            throw t.origin().error(s + " is not supported: cunicu4j does ICE over UDP only (use udp4 and/or udp6; "
                    + "a TURN server reached over TCP still works via a turn:...?transport=tcp URL)");
        }
        throw t.origin().error(show(t) + " is not a network type (expected udp4 or udp6)");
    }

    private static <E extends Enum<E>> Set<E> enumSet(Tree t, Class<E> type, List<E> items) {
        if (items.isEmpty()) {
            throw t.origin().error("must name at least one");
        }
        return EnumSet.copyOf(items);
    }

    private static String glob(Tree t) {
        String s = text(t, "an interface name or glob").strip();
        if (s.isEmpty()) {
            throw t.origin().error("expected an interface name or glob, got an empty string");
        }
        try {
            Glob.compile(s);
        } catch (IllegalArgumentException e) {
            throw t.origin().error(e.getMessage());
        }
        return s;
    }

    private static Optional<ProxyMode> proxy(Tree t) {
        String s = text(t, "a proxy mode").strip();
        if (s.equalsIgnoreCase("auto")) {
            return Optional.empty();
        }
        try {
            return Optional.of(ProxyMode.fromConfigName(s));
        } catch (IllegalArgumentException e) {
            throw t.origin().error(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- scalar types

    static boolean isNull(Tree t) {
        return t instanceof Tree.Scalar s && s.isNull();
    }

    /** The value for messages: quoted, or {@code (hidden)} for a secret key. */
    private static String show(Tree t) {
        if (isSecretKey(t.origin().key().replaceAll("\\[\\d+]$", ""))) {
            return "the value";
        }
        if (t instanceof Tree.Scalar s) {
            return s.isNull() ? "an empty value" : "'" + s.text() + "'";
        }
        return t instanceof Tree.Seq ? "a list" : "a map";
    }

    private static String kind(Tree t) {
        return switch (t) {
            case Tree.Seq s -> "a list";
            case Tree.MapNode m -> "a map";
            case Tree.Scalar s -> s.isNull() ? "nothing" : "a single value";
        };
    }

    private static String text(Tree t, String expected) {
        if (t instanceof Tree.Scalar s && !s.isNull()) {
            return s.text();
        }
        throw t.origin().error("expected " + expected + ", got " + kind(t));
    }

    private static Tree.MapNode map(Tree t, String expected) {
        if (t instanceof Tree.MapNode m) {
            return m;
        }
        throw t.origin().error("expected " + expected + ", got " + (t instanceof Tree.Scalar ? show(t) : kind(t)));
    }

    private static <T> List<T> list(Tree t, Function<Tree, T> item) {
        List<Tree> items = new ArrayList<>();
        switch (t) {
            case Tree.Seq s -> items.addAll(s.items());
            case Tree.Scalar s when s.isNull() -> { }
            case Tree.Scalar s when s.origin().override() -> {
                String text = s.text().strip();
                if (text.startsWith("[") && text.endsWith("]")) {
                    text = text.substring(1, text.length() - 1);
                }
                int i = 0;
                for (String part : text.split(",", -1)) {
                    if (!part.isBlank()) {
                        Origin o = s.origin().withPath(s.origin().path() + "[" + i++ + "]");
                        items.add(new Tree.Scalar(part.strip(), true, o));
                    }
                }
            }
            case Tree.Scalar s -> throw t.origin().error("expected a list, got " + show(t)
                    + " (write [value, ...] or one '- value' per line)");
            case Tree.MapNode m -> throw t.origin().error("expected a list, got a map");
        }
        List<T> out = new ArrayList<>(items.size());
        for (Tree i : items) {
            out.add(item.apply(i));
        }
        return List.copyOf(out);
    }

    private static int integer(Tree t, int min, int max) {
        String s = text(t, "a whole number " + min + ".." + max).strip();
        String digits = s.startsWith("+") ? s.substring(1) : s;
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw t.origin().error(show(t) + " is not a whole number (expected " + min + ".." + max + ")");
        }
        long v = Long.parseLong(digits);
        if (v < min || v > max) {
            throw t.origin().error(v + " is out of range (expected " + min + ".." + max + ")");
        }
        return (int) v;
    }

    private static boolean bool(Tree t) {
        String s = text(t, "true or false").strip();
        return switch (s) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> throw t.origin().error(show(t) + " is not a boolean (expected true or false)");
        };
    }

    private static Duration duration(Tree t) {
        String s = text(t, "a duration (e.g. 5s, 200ms, 1m30s)");
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw t.origin().error(e.getMessage());
        }
    }

    private static Duration positiveDuration(Tree t) {
        Duration d = duration(t);
        if (d.isZero()) {
            throw t.origin().error("must be longer than zero");
        }
        return d;
    }

    private static Key key(Tree t, Key.Type type) {
        String name = type.name().toLowerCase(Locale.ROOT);
        String s = text(t, "a base64 " + name + " key");
        try {
            return Key.parse(s.strip(), type);
        } catch (IllegalArgumentException e) {
            throw t.origin().error("not a valid " + name + " key (as `wg genkey`/`wg pubkey` print it): " + e.getMessage());
        }
    }

    private static IpPrefix prefix(Tree t) {
        String s = text(t, "an IP address or prefix (e.g. 10.0.0.1/24)");
        try {
            return IpPrefix.parse(s.strip());
        } catch (IllegalArgumentException e) {
            throw t.origin().error(e.getMessage());
        }
    }

    /** A prefix to derive an address in: it must leave host bits to derive. */
    private static IpPrefix derivationPrefix(Tree t) {
        IpPrefix p = prefix(t);
        int max = p.isIpv4() ? 32 : 128;
        if (p.bits() >= max) {
            throw t.origin().error("'" + p + "' leaves no bits to derive an address in (expected a network such as "
                    + (p.isIpv4() ? "10.237.0.0/16" : "fc2f:9a4d::/32") + ")");
        }
        return p;
    }

    /** A host name as cunīcu announces it: letters, digits, '-' and '.', up to 253 characters. */
    private static String hostname(Tree t) {
        String s = text(t, "a host name").strip();
        if (s.isEmpty() || s.length() > 253 || !s.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?")) {
            throw t.origin().error(show(t) + " is not a host name (letters, digits and '-' in dot-separated labels of "
                    + "up to 63 characters)");
        }
        return s;
    }

    // ---------------------------------------------------------------- unknown keys

    /** The error for {@code key} in {@code m}, which is none of {@code allowed} (nor of {@code alsoAllowed}). */
    static ConfigException unknownKey(Tree.MapNode m, String key, List<String> allowed, List<String> alsoAllowed) {
        Origin at = m.keyOrigin(key);
        List<String> all = new ArrayList<>(allowed);
        all.addAll(alsoAllowed);
        String hint = Suggest.closest(key, all);
        if (hint != null) {
            return at.error("unknown key '" + key + "' (did you mean '" + hint + "'?)");
        }
        if (allowed == INTERFACE_KEYS && DAEMON_KEYS.contains(key)) {
            return at.error("'" + key + "' is a daemon-wide setting: write it at the top level, not per interface");
        }
        if ((allowed == INTERFACE_KEYS || alsoAllowed == INTERFACE_KEYS) && ICE_KEYS.contains(key)) {
            return at.error("unknown key '" + key + "' (did you mean 'ice." + key + "'?)");
        }
        if (UNSUPPORTED_CUNICU_KEYS.contains(key)) {
            return at.error("'" + key + "' is a cunīcu setting that cunicu4j does not support");
        }
        return at.error("unknown key '" + key + "' (expected one of " + String.join(", ", all) + ")");
    }
}
