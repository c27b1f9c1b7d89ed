package org.cunicu4j.daemon.api;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything {@code cunicu4j status} shows: the daemon and each of its interfaces.
 *
 * @param version the daemon's version
 * @param pid the daemon's process id
 * @param started when the daemon started, or null
 * @param interfaces one entry per managed interface
 * @param counters daemon-wide counters by snake_case name (e.g. {@code signaling_unknown_sender},
 *     {@code control_malformed_requests}), sorted by name; things that were dropped or refused
 *     and are worth a look when they grow
 */
public record DaemonStatus(String version, long pid, Instant started, List<InterfaceStatus> interfaces,
        Map<String, Long> counters) {
    public DaemonStatus {
        interfaces = List.copyOf(interfaces);
        counters = Collections.unmodifiableSortedMap(new TreeMap<>(counters));
    }

    /** A status without counters. */
    public DaemonStatus(String version, long pid, Instant started, List<InterfaceStatus> interfaces) {
        this(version, pid, started, interfaces, Map.of());
    }

    /** This status with {@code more} counters added (a name already present takes the new value). */
    public DaemonStatus withCounters(Map<String, Long> more) {
        Map<String, Long> all = new TreeMap<>(counters);
        all.putAll(more);
        return new DaemonStatus(version, pid, started, interfaces, all);
    }
}
