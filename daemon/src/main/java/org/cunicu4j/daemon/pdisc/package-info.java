/**
 * Peer discovery by community (cunīcu's {@code pdisc}): every member of a community, named by
 * a shared passphrase, publishes its {@code PeerDescription} sealed from its interface key to
 * the community's public key ({@link org.cunicu4j.daemon.pdisc.CommunityKey}: Argon2id of the
 * passphrase) and follows the community topic with the community's private key and a wildcard
 * sender. {@link org.cunicu4j.daemon.pdisc.PeerDiscovery} announces us (ADD on start, UPDATE
 * with the old key when our key changes, REMOVE on shutdown), validates what others announce
 * (a description must come from the key it describes; malformed ones are counted and dropped),
 * filters keys by whitelist and blacklist ({@link org.cunicu4j.daemon.pdisc.KeyFilter}) and
 * applies the rest through a {@link org.cunicu4j.daemon.pdisc.PeerSink}; it re-announces us
 * when a new member appears, so late joiners learn of us. The community is one trust domain:
 * every member holds the community private key and can seal as any other member, so the
 * sender checks only keep outsiders from describing others' keys (see
 * {@link org.cunicu4j.daemon.pdisc.PeerDiscovery}). An empty community passphrase means peer
 * discovery is off: the daemon then starts none (its wiring decides, not this package).
 */
package org.cunicu4j.daemon.pdisc;
