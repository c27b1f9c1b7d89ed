package org.cunicu4j.daemon.hooks;

import java.util.List;
import java.util.Locale;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * The arguments an exec hook gets after its configured ones, as cunīcu passes them:
 * <pre>
 * added interface IFNAME
 * removed interface IFNAME
 * added peer IFNAME PUBLIC_KEY
 * removed peer IFNAME PUBLIC_KEY
 * changed peer connection-state IFNAME PUBLIC_KEY NEW_STATE OLD_STATE
 * </pre>
 * States in lower case ({@code connected}, {@code checking}, ...). Other event types run no
 * hook ({@link #of} gives null). Stateless.
 */
final class EventArgs {
    private EventArgs() {}

    /** True for the event types hooks run for. */
    static boolean hooked(DaemonEvent.Type t) {
        return switch (t) {
            case INTERFACE_ADDED, INTERFACE_REMOVED, PEER_ADDED, PEER_REMOVED, PEER_STATE_CHANGED -> true;
            default -> false;
        };
    }

    /** The event's arguments, or null when hooks do not run for it. */
    static List<String> of(DaemonEvent e) {
        if (e.type() == null || !hooked(e.type())) {
            return null;
        }
        String i = nonNull(e.iface());
        String pk = nonNull(EventJson.publicKey(e.peer()));
        return switch (e.type()) {
            case INTERFACE_ADDED -> List.of("added", "interface", i);
            case INTERFACE_REMOVED -> List.of("removed", "interface", i);
            case PEER_ADDED -> List.of("added", "peer", i, pk);
            case PEER_REMOVED -> List.of("removed", "peer", i, pk);
            case PEER_STATE_CHANGED -> List.of("changed", "peer", "connection-state", i, pk, state(e.to()), state(e.from()));
            default -> null;
        };
    }

    private static String state(String s) {
        return nonNull(s).toLowerCase(Locale.ROOT);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
