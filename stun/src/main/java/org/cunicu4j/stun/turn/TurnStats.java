package org.cunicu4j.stun.turn;

/**
 * Counters of one {@link Allocation}, a snapshot.
 *
 * @param refreshes successful allocation refreshes
 * @param permissionRefreshes successful permission refreshes
 * @param channelRefreshes successful channel refreshes
 * @param staleNonces 438 Stale Nonce answers recovered from by retrying with the new nonce
 * @param malformed messages from the server that were neither relayed data nor an awaited response
 * @param unknownChannel ChannelData on a channel we did not bind
 * @param receiveDrops relayed datagrams dropped because the receive queue was full or they were too big
 * @param sendDrops datagrams not relayed (no permission obtainable, too big)
 */
public record TurnStats(long refreshes, long permissionRefreshes, long channelRefreshes, long staleNonces,
        long malformed, long unknownChannel, long receiveDrops, long sendDrops) {}
