package org.cunicu4j.stun.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * A STUN transaction got no response, e.g.
 * {@code "no response from 198.18.0.10:3478 after 7 requests in 39.5 s"}.
 */
public final class StunTimeoutException extends IOException {
    private final InetSocketAddress server;
    private final int requests;
    private final Duration waited;

    public StunTimeoutException(InetSocketAddress server, int requests, Duration waited, String transport) {
        super(message(server, requests, waited, transport));
        this.server = server;
        this.requests = requests;
        this.waited = waited;
    }

    private static String message(InetSocketAddress server, int requests, Duration waited, String transport) {
        String secs = String.format(Locale.ROOT, "%.1f s", waited.toMillis() / 1000.0);
        String via = transport == null ? "" : " over " + transport;
        return requests > 0
                ? "no response from " + address(server) + via + " after " + requests
                        + (requests == 1 ? " request" : " requests") + " in " + secs
                : "no response from " + address(server) + via + " in " + secs;
    }

    /** {@code ip:port} without the host-name part of {@link InetSocketAddress#toString()}. */
    static String address(InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String ip = a.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    public InetSocketAddress server() {
        return server;
    }

    /** Requests sent (0 on a stream, where there are no retransmissions to count). */
    public int requests() {
        return requests;
    }

    public Duration waited() {
        return waited;
    }
}
