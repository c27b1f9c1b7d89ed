package org.cunicu4j.stun.url;

import java.util.Locale;

/** How a client reaches a STUN or TURN server: plain UDP, plain TCP, or TLS over TCP. */
public enum Transport {
    UDP,
    TCP,
    TLS;

    /** Lower-case name as used in URLs and output ({@code udp}, {@code tcp}, {@code tls}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
