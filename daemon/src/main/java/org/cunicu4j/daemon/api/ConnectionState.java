package org.cunicu4j.daemon.api;

/**
 * A peer session's state, as cunīcu names them: {@code IDLE} (waiting for the remote's
 * credentials), {@code CONNECTING} (credentials known, gathering and exchanging candidates),
 * {@code CHECKING} (connectivity checks running), {@code CONNECTED}, {@code DISCONNECTED}
 * (no consent for a while; may come back), {@code FAILED} (will restart), {@code CLOSED}.
 */
public enum ConnectionState {
    IDLE,
    CONNECTING,
    CHECKING,
    CONNECTED,
    DISCONNECTED,
    FAILED,
    CLOSED
}
