package org.cunicu4j.linux.netlink;

import java.util.Objects;

/**
 * A route of a {@link RouteTable}: one listed by {@link RouteTable#routes()}, or one that
 * appeared or went ({@link RouteTable#watch}).
 *
 * @param removed  true for an RTM_DELROUTE (the route is gone), false for a route that exists
 * @param entry    the route
 * @param protocol {@code rtm_protocol}: who installed it ({@code 2} kernel, {@code 3} boot —
 *                 {@code ip route add} —, {@code 4} static, {@code 12} bird, or a daemon's own number)
 */
public record RouteChange(boolean removed, RouteEntry entry, int protocol) {
    public RouteChange {
        Objects.requireNonNull(entry, "entry");
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("route protocol must be 0..255, got " + protocol);
        }
    }

    /** The route itself. */
    public Route route() {
        return entry.route();
    }

    @Override
    public String toString() {
        return (removed ? "removed " : "") + entry + " proto " + protocol;
    }
}
