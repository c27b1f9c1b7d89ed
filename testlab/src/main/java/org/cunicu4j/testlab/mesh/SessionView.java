package org.cunicu4j.testlab.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One peer session as {@code cunicu4j status --json} reports it ({@code interfaces[].peers[]}
 * with {@code state}, {@code proxy_mode}, {@code selected_pair.local.type} and
 * {@code .remote.type}, {@code restarts}), read leniently (camelCase keys and flat
 * {@code local_type} too, states in any case). Immutable.
 *
 * @param iface the local interface
 * @param name the remote peer's name from the config, or null
 * @param publicKey the remote peer's public key (base64), or null
 * @param state the session state in upper case ({@code CONNECTED}, ...), or null
 * @param localType the selected pair's local candidate type in lower case ({@code host}, {@code srflx},
 *     {@code prflx}, {@code relay}), or null
 * @param remoteType the remote candidate type, or null
 * @param proxyMode the proxy mode in lower case (the peer's, else its interface's), or null
 * @param restarts the session's restart counter, or -1 when not reported
 */
public record SessionView(String iface, String name, String publicKey, String state, String localType,
        String remoteType, String proxyMode, long restarts) {

    /** True when the session's state is CONNECTED. */
    public boolean connected() {
        return "CONNECTED".equals(state);
    }

    /** True when either end of the selected pair is a relay candidate. */
    public boolean relayed() {
        return "relay".equals(localType) || "relay".equals(remoteType);
    }

    /** {@code "srflx ↔ prflx"}, or {@code "no pair"}. */
    public String pairTypes() {
        return localType == null ? "no pair" : localType + " ↔ " + remoteType;
    }

    /** Every session of every interface in a {@code status --json} document. */
    public static List<SessionView> parse(String json) {
        Object root = Json.parse(json);
        List<SessionView> out = new ArrayList<>();
        for (Object i : list(field(root, "interfaces"))) {
            String iface = text(field(i, "name"));
            for (Object p : list(field(i, "peers"))) {
                Object pair = field(p, "selected_pair", "selectedPair", "pair");
                Object restarts = field(p, "restarts");
                Object mode = field(p, "proxy_mode", "proxyMode");
                if (mode == null) {
                    mode = field(i, "proxy_mode", "proxyMode");
                }
                out.add(new SessionView(iface, text(field(p, "name")),
                        text(field(p, "public_key", "publicKey")),
                        upper(text(field(p, "state", "connection_state", "connectionState"))),
                        lower(candidateType(pair, "local")),
                        lower(candidateType(pair, "remote")),
                        lower(text(mode)),
                        restarts instanceof Number n ? n.longValue() : -1));
            }
        }
        return out;
    }

    /** {@code pair.local.type} (the CLI's layout), else {@code pair.local_type} / {@code localType}. */
    private static String candidateType(Object pair, String end) {
        Object c = field(pair, end);
        if (c instanceof Map<?, ?>) {
            return text(field(c, "type"));
        }
        return text(field(pair, end + "_type", end + "Type"));
    }

    private static Object field(Object obj, String... keys) {
        if (!(obj instanceof Map<?, ?> m)) {
            return null;
        }
        for (String k : keys) {
            if (m.containsKey(k)) {
                return m.get(k);
            }
        }
        return null;
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }

    private static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
