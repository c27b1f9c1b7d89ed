package org.cunicu4j.stun.url;

import java.net.InetSocketAddress;

/**
 * A parsed STUN or TURN server URL. Immutable and thread-safe.
 */
public sealed interface ServerUrl permits StunUrl, TurnUrl {

    /** The host as written, without IPv6 brackets: a name or an address literal. */
    String host();

    int port();

    /** The transport the client uses to reach the server. */
    Transport transport();

    /** True for {@code stuns:} and {@code turns:} (TLS). */
    boolean secure();

    /** Resolves {@link #host()} (a DNS look-up for names) and pairs it with the port. */
    default InetSocketAddress resolve() {
        return new InetSocketAddress(host(), port());
    }

    /** Parses any of {@code stun:}, {@code stuns:}, {@code turn:}, {@code turns:}. */
    static ServerUrl parse(String url) {
        return ServerUrls.parse(url);
    }
}
