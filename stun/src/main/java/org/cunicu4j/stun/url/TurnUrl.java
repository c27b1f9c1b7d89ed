package org.cunicu4j.stun.url;

import java.util.Objects;

/**
 * A TURN server URL (RFC 7065) with optional long-term credentials in the user-info part:
 * {@code turn:user:pass@host[:port][?transport=udp|tcp]} (default UDP, port 3478) or
 * {@code turns:user:pass@host[:port][?transport=tcp]} (TLS over TCP, default port 5349).
 * User and password may be percent-encoded; the user ends at the last colon, so a TURN
 * REST user name like {@code 1700000000:key} needs no escaping. Immutable;
 * {@link #toString()} masks the password.
 *
 * @param secure {@code turns:}
 * @param host name or address literal, without brackets
 * @param port 1..65535
 * @param transport UDP or TCP for {@code turn:}, TLS for {@code turns:}
 * @param username empty string when the URL has none
 * @param password empty string when the URL has none
 */
public record TurnUrl(boolean secure, String host, int port, Transport transport, String username, String password)
        implements ServerUrl {

    public TurnUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        if (secure != (transport == Transport.TLS)) {
            throw new IllegalArgumentException("turns: goes with TLS and turn: with UDP or TCP, got "
                    + (secure ? "turns:" : "turn:") + " with " + transport);
        }
    }

    /** Parses a {@code turn:} or {@code turns:} URL. */
    public static TurnUrl parse(String url) {
        if (ServerUrls.parse(url) instanceof TurnUrl t) {
            return t;
        }
        throw new UrlSyntaxException(url, "expected a turn: or turns: URL");
    }

    /** True when the URL carries a user name. */
    public boolean hasCredentials() {
        return !username.isEmpty();
    }

    /** The same server with other credentials. */
    public TurnUrl withCredentials(String user, String pass) {
        return new TurnUrl(secure, host, port, transport, user, pass);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(secure ? "turns:" : "turn:");
        if (hasCredentials()) {
            sb.append(ServerUrls.encodeUserInfo(username)).append(":***@");
        }
        sb.append(ServerUrls.hostPort(host, port));
        if (!secure) {
            sb.append("?transport=").append(transport.id());
        }
        return sb.toString();
    }
}
