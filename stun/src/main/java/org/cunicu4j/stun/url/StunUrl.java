package org.cunicu4j.stun.url;

import java.util.Objects;

/**
 * A STUN server URL (RFC 7064): {@code stun:host[:port]} (UDP, default port 3478) or
 * {@code stuns:host[:port]} (TLS over TCP, default port 5349). IPv6 literals go in
 * brackets: {@code stun:[2001:db8::1]:3478}. Immutable.
 *
 * @param secure {@code stuns:}
 * @param host name or address literal, without brackets
 * @param port 1..65535
 */
public record StunUrl(boolean secure, String host, int port) implements ServerUrl {

    public StunUrl {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /** Parses a {@code stun:} or {@code stuns:} URL. */
    public static StunUrl parse(String url) {
        if (ServerUrls.parse(url) instanceof StunUrl s) {
            return s;
        }
        throw new UrlSyntaxException(url, "expected a stun: or stuns: URL");
    }

    @Override
    public Transport transport() {
        return secure ? Transport.TLS : Transport.UDP;
    }

    @Override
    public String toString() {
        return (secure ? "stuns:" : "stun:") + ServerUrls.hostPort(host, port);
    }
}
