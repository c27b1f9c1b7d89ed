package org.cunicu4j.daemon.hooks;

import java.util.Locale;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.wireguard.Key;

/**
 * The JSON object a hook receives for an event: the same members, names and values as a line
 * of {@code cunicu4j monitor --json}, so a hook can be tried on that output —
 * {@code time} (ISO-8601 UTC), {@code type} (the {@link DaemonEvent.Type} in lower case),
 * {@code interface}, {@code peer} (base64 public key), {@code from}, {@code to},
 * {@code message}; absent values are {@code null}. Strings are escaped per RFC 8259, with
 * every control character, DEL, C1, U+2028/2029 and the bidi controls as {@code \\uXXXX}.
 * A key that is not a public key is written as {@code null}, never its bytes. Stateless.
 */
final class EventJson {
    private EventJson() {}

    static String render(DaemonEvent e) {
        StringBuilder sb = new StringBuilder(256).append('{');
        member(sb, "time", e.time() == null ? null : e.time().toString()).append(',');
        member(sb, "type", e.type() == null ? null : e.type().name().toLowerCase(Locale.ROOT)).append(',');
        member(sb, "interface", e.iface()).append(',');
        member(sb, "peer", publicKey(e.peer())).append(',');
        member(sb, "from", e.from()).append(',');
        member(sb, "to", e.to()).append(',');
        member(sb, "message", e.message());
        return sb.append('}').toString();
    }

    /** A public key's base64; null for anything else, so a secret key can never be sent. */
    static String publicKey(Key k) {
        return k == null || k.type() != Key.Type.PUBLIC ? null : k.toBase64();
    }

    private static StringBuilder member(StringBuilder sb, String name, String value) {
        string(sb, name).append(':');
        return value == null ? sb.append("null") : string(sb, value);
    }

    private static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                            || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
