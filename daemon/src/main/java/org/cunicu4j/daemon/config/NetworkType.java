package org.cunicu4j.daemon.config;

import java.util.Locale;

/** The {@code ice.network_types} cunicu4j supports: UDP over IPv4 and IPv6 (no ICE-TCP). */
public enum NetworkType {
    UDP4,
    UDP6;

    /** {@code udp4} or {@code udp6}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
