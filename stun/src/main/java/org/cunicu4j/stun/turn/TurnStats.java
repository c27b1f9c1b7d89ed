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
 * @param sendDrops datagrams not relayed (too big for a Send indication, no peer address)
 * @param sendIndications datagrams sent to peers in Send indications
 * @param channelDataSent datagrams sent to peers as ChannelData
 * @param dataIndications datagrams received from peers in Data indications
 * @param channelDataReceived datagrams received from peers as ChannelData
 * @param permissionPendingDrops datagrams dropped because their peer's permission was being created
 * @param noPermissionDrops Data indications dropped because their peer has no permission
 */
public record TurnStats(long refreshes, long permissionRefreshes, long channelRefreshes, long staleNonces,
        long malformed, long unknownChannel, long receiveDrops, long sendDrops,
        long sendIndications, long channelDataSent, long dataIndications, long channelDataReceived,
        long permissionPendingDrops, long noPermissionDrops) {}
