package org.cunicu4j.wireguard.device;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of a device's counters: dropped packets by {@link DropReason} and the
 * handshake traffic. Immutable.
 */
public record DeviceCounters(
        Map<DropReason, Long> dropped,
        long handshakeInitiationsSent,
        long handshakeResponsesSent,
        long cookieRepliesSent,
        long handshakesCompleted,
        long transportPacketsReceived,
        long transportPacketsSent) {

    public DeviceCounters {
        dropped = Collections.unmodifiableMap(new EnumMap<>(dropped));
    }

    /** Packets dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    /** Packets dropped for any reason. */
    public long totalDropped() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
}
