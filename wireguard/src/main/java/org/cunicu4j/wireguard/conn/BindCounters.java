package org.cunicu4j.wireguard.conn;

/**
 * What a {@link UdpBind} has moved and dropped since it was made (across re-opens): a
 * snapshot, read off the data path.
 *
 * @param received WireGuard datagrams returned by the receive functions
 * @param sent datagrams handed to {@link Bind#send} (those the kernel refused included;
 *     they are also in {@code sendRefused})
 * @param foreignReceived datagrams that were not WireGuard and went to the foreign handler
 * @param foreignSent datagrams sent through a shared conn on behalf of the handler's owner
 * @param droppedForeign datagrams that were not WireGuard, dropped for want of a handler
 * @param droppedTooLong datagrams longer than the receiving slot's buffer, dropped
 * @param sendRefused datagrams the kernel refused on send (no route, too big, ...) or that
 *     had no socket of their family, skipped
 * @param handlerErrors exceptions thrown by the foreign handler, ignored
 */
public record BindCounters(
        long received,
        long sent,
        long foreignReceived,
        long foreignSent,
        long droppedForeign,
        long droppedTooLong,
        long sendRefused,
        long handlerErrors) {}
