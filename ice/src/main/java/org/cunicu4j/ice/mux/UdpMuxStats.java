package org.cunicu4j.ice.mux;

/**
 * A snapshot of a {@link UdpMux}'s counters.
 *
 * @param routed datagrams queued for an agent's conn
 * @param unknownUfrag binding requests whose USERNAME names no registered fragment (or has no ':')
 * @param unroutable STUN without USERNAME, or non-STUN with no foreign handler, from an unclaimed address
 * @param malformedStun datagrams that look like STUN (cookie) but do not parse
 * @param queueFull datagrams dropped because the agent's queue was full (or too large for its slots)
 * @param foreign datagrams handed to the foreign handler
 * @param reflexive STUN responses consumed by server-reflexive discovery
 * @param handlerErrors exceptions thrown by the foreign handler (or by routing), counted and swallowed
 */
public record UdpMuxStats(long routed, long unknownUfrag, long unroutable, long malformedStun, long queueFull,
        long foreign, long reflexive, long handlerErrors) {}
