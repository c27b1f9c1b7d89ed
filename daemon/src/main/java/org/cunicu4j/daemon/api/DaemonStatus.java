package org.cunicu4j.daemon.api;

import java.time.Instant;
import java.util.List;

/** Everything {@code cunicu4j status} shows: the daemon and each of its interfaces. */
public record DaemonStatus(String version, long pid, Instant started, List<InterfaceStatus> interfaces) {
    public DaemonStatus {
        interfaces = List.copyOf(interfaces);
    }
}
