package org.cunicu4j.signaling.server;

/**
 * A snapshot of the signaling server's counters. Immutable.
 *
 * @param subscribers live Subscribe streams now
 * @param topics keys with at least one live subscriber now
 * @param published envelopes accepted by Publish
 * @param unrouted published envelopes whose recipient had no subscriber (dropped, as allowed)
 * @param delivered envelopes written to subscriber streams (markers not counted)
 * @param dropped envelopes a slow subscriber lost because its queue was full (by count or bytes)
 * @param rejected Publish or Subscribe calls refused (a key that is not 32 bytes)
 * @param maxQueued the longest subscriber queue now
 * @param refused Subscribe calls refused with RESOURCE_EXHAUSTED because the server had its
 *     maximum of subscribers
 */
public record ServerStats(int subscribers, int topics, long published, long unrouted, long delivered,
                          long dropped, long rejected, int maxQueued, long refused) {}
