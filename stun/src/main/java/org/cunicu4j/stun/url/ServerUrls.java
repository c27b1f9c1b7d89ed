package org.cunicu4j.stun.url;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The parser behind {@link ServerUrl#parse}; stateless. */
final class ServerUrls {
    static final int DEFAULT_PORT = 3478;
    static final int DEFAULT_TLS_PORT = 5349;

    private ServerUrls() {}

    static ServerUrl parse(String url) {
        if (url == null) {
            throw new NullPointerException("url");
        }
        int colon = url.indexOf(':');
        if (colon <= 0) {
            throw new UrlSyntaxException(url, "no scheme (expected stun:, stuns:, turn: or turns:)");
        }
        String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        boolean turn;
        boolean secure;
        switch (scheme) {
            case "stun" -> { turn = false; secure = false; }
            case "stuns" -> { turn = false; secure = true; }
            case "turn" -> { turn = true; secure = false; }
            case "turns" -> { turn = true; secure = true; }
            default -> throw new UrlSyntaxException(url,
                    "unknown scheme \"" + url.substring(0, colon) + "\" (expected stun, stuns, turn or turns)");
        }
        String rest = url.substring(colon + 1);
        if (rest.startsWith("//")) {
            throw new UrlSyntaxException(url, "no \"//\" after the scheme: write " + scheme + ":host[:port]");
        }
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new UrlSyntaxException(url, "whitespace or control character at offset " + (colon + 1 + i));
            }
        }

        Transport transport = secure ? Transport.TLS : Transport.UDP;
        int q = rest.indexOf('?');
        if (q >= 0) {
            String query = rest.substring(q + 1);
            rest = rest.substring(0, q);
            if (!turn) {
                throw new UrlSyntaxException(url, scheme + ": URLs take no query (\"?" + query + "\")");
            }
            transport = parseTransport(url, query, secure);
        }

        String user = "";
        String password = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            if (!turn) {
                throw new UrlSyntaxException(url, scheme + ": URLs carry no user name or password");
            }
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int sep = userInfo.lastIndexOf(':');
            if (sep < 0) {
                throw new UrlSyntaxException(url, "credentials must be user:password@, got no password");
            }
            user = decode(url, userInfo.substring(0, sep), "user name");
            password = decode(url, userInfo.substring(sep + 1), "password");
            if (user.isEmpty()) {
                throw new UrlSyntaxException(url, "empty user name before \"@\"");
            }
            if (password.isEmpty()) {
                throw new UrlSyntaxException(url, "empty password after \"" + user
                        + ":\" (long-term credentials need one)");
            }
        }

        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new UrlSyntaxException(url, "IPv6 literal opened with \"[\" is not closed with \"]\"");
            }
            host = rest.substring(1, close);
            checkIpv6(url, host);
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new UrlSyntaxException(url, "unexpected \"" + after + "\" after \"]\"");
                }
                portText = after.substring(1);
            }
        } else {
            int c = rest.indexOf(':');
            if (c >= 0 && rest.indexOf(':', c + 1) >= 0) {
                throw new UrlSyntaxException(url,
                        "an IPv6 address needs brackets, e.g. " + scheme + ":[2001:db8::1]:3478");
            }
            host = c < 0 ? rest : rest.substring(0, c);
            portText = c < 0 ? null : rest.substring(c + 1);
            checkHostName(url, host);
        }
        int port = portText == null ? (secure ? DEFAULT_TLS_PORT : DEFAULT_PORT) : parsePort(url, portText);

        return turn ? new TurnUrl(secure, host, port, transport, user, password) : new StunUrl(secure, host, port);
    }

    private static Transport parseTransport(String url, String query, boolean secure) {
        Transport transport = secure ? Transport.TLS : Transport.UDP;
        for (String param : query.split("&", -1)) {
            int eq = param.indexOf('=');
            String key = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : param.substring(eq + 1).toLowerCase(Locale.ROOT);
            if (!key.equalsIgnoreCase("transport")) {
                throw new UrlSyntaxException(url, "unknown query parameter \"" + key + "\" (only transport=udp|tcp)");
            }
            transport = switch (value) {
                case "udp" -> {
                    if (secure) {
                        throw new UrlSyntaxException(url, "turns: over UDP would be DTLS, which is not supported; "
                                + "use turns: with transport=tcp (TLS) or turn: with transport=udp");
                    }
                    yield Transport.UDP;
                }
                case "tcp" -> secure ? Transport.TLS : Transport.TCP;
                default -> throw new UrlSyntaxException(url,
                        "transport must be udp or tcp, got \"" + param.substring(eq + 1) + "\"");
            };
        }
        return transport;
    }

    private static void checkHostName(String url, String host) {
        if (host.isEmpty()) {
            throw new UrlSyntaxException(url, "missing host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_';
            if (!ok) {
                throw new UrlSyntaxException(url, "invalid character '" + c + "' in host \"" + host + "\"");
            }
        }
    }

    private static void checkIpv6(String url, String literal) {
        try {
            if (literal.indexOf(':') < 0 || !(InetAddress.ofLiteral(literal) instanceof java.net.Inet6Address)) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new UrlSyntaxException(url, "\"" + literal + "\" in brackets is not an IPv6 address");
        }
    }

    private static int parsePort(String url, String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new UrlSyntaxException(url, "port must be a number 1..65535, got \"" + text + "\"");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new UrlSyntaxException(url, "port must be 1..65535, got " + port);
        }
        return port;
    }

    private static String decode(String url, String s, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new UrlSyntaxException(url, "bad percent escape in the " + what + " at \""
                            + s.substring(i, Math.min(s.length(), i + 3)) + "\"");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The URL with the password between the user's last colon and the last '@' replaced by ***. */
    static String mask(String url) {
        if (url == null) {
            return "null";
        }
        int schemeEnd = url.indexOf(':');
        int at = url.lastIndexOf('@');
        int q = url.indexOf('?');
        if (schemeEnd < 0 || at < 0 || (q >= 0 && at > q)) {
            return url;
        }
        int sep = url.lastIndexOf(':', at);
        if (sep <= schemeEnd) {
            return url;
        }
        return url.substring(0, sep + 1) + "***" + url.substring(at);
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static String encodeUserInfo(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~+/=:".indexOf(c) >= 0;
            if (plain) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
