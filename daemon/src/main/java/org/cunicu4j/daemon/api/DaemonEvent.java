package org.cunicu4j.daemon.api;

import java.time.Instant;
import org.cunicu4j.wireguard.Key;

/**
 * Something that happened, as {@code cunicu4j monitor} prints it.
 *
 * @param time when
 * @param type what kind of event
 * @param iface the interface, or null
 * @param peer the peer, or null
 * @param from the old value (a state name, a pair), or null
 * @param to the new value, or null
 * @param message a human-readable sentence (never a private key)
 */
public record DaemonEvent(Instant time, Type type, String iface, Key peer, String from, String to, String message) {

    public enum Type {
        INTERFACE_ADDED,
        INTERFACE_REMOVED,
        PEER_ADDED,
        PEER_REMOVED,
        PEER_STATE_CHANGED,
        SELECTED_PAIR_CHANGED,
        PEER_RESTARTED,
        SIGNALING,
        ERROR,
        /** This listener was too slow: {@code message} says how many events it missed. */
        EVENTS_DROPPED
    }
}
