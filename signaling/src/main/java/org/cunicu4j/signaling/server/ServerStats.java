package org.cunicu4j.signaling.server;

/**
 * A snapshot of the signaling server's counters. Immutable.
 *
 * @param subscribers live Subscribe streams now
 * @param topics keys with at least one live subscriber now
 * @param published envelopes accepted by Publish
 * @param unrouted published envelopes whose recipient had no subscriber (dropped, as allowed)
 * @param delivered envelopes written to subscriber streams (markers not counted)
 * @param dropped envelopes a slow subscriber lost because its queue was full
 * @param rejected Publish or Subscribe calls refused (a key that is not 32 bytes)
 * @param maxQueued the longest subscriber queue now
 */
public record ServerStats(int subscribers, int topics, long published, long unrouted, long delivered,
                          long dropped, long rejected, int maxQueued) {}
