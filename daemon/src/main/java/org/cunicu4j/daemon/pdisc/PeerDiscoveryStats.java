package org.cunicu4j.daemon.pdisc;

/**
 * What one interface's peer discovery saw and did since it started.
 *
 * @param received peer descriptions received on the community topic (our own included)
 * @param own our own descriptions coming back: ignored
 * @param added members added to the sink
 * @param updated members whose description changed, updated in the sink
 * @param unchanged descriptions identical to what the sink has (a re-announcement)
 * @param rotated members followed to a new key
 * @param removed members removed (they left, or rotated to a key the filter refuses)
 * @param filtered descriptions of keys the whitelist or blacklist refuses: never added
 * @param forged descriptions whose public key is not the key that sealed them: rejected
 * @param malformed descriptions that do not parse (bad key, change, name, prefix, host): dropped
 * @param stale descriptions of a key its owner has rotated away from: dropped
 * @param replayed envelopes seen before (same sender and nonce): a replay or a duplicate delivery, dropped
 * @param refused new members not added because we already have {@link PeerDiscovery.Limits#maxPeers()}
 * @param refusedIps advertised allowed IPs left out: default routes (unless allowed), prefixes covering
 *     our addresses or another member's derived address
 * @param dropped descriptions dropped unread because the worker's queue was full
 * @param ignored other messages on the community topic, and removals of members we do not know
 * @param announced our own descriptions published (ADD, UPDATE, REMOVE)
 * @param publishErrors publishes the backend refused
 * @param sinkErrors sink calls that threw
 */
public record PeerDiscoveryStats(long received, long own, long added, long updated, long unchanged, long rotated,
        long removed, long filtered, long forged, long malformed, long stale, long replayed, long refused, long refusedIps,
        long dropped, long ignored, long announced,
        long publishErrors, long sinkErrors) {}
