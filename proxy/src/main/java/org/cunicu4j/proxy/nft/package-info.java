/**
 * Port sharing for an external WireGuard device by nftables port rewriting
 * ({@link org.cunicu4j.proxy.ProxyMode#NFTABLES}): ICE on ports of its own, a table
 * {@code inet cunicu4j-<ifname>} that sends non-STUN from the ICE port to WireGuard and
 * WireGuard's packets to each connected remote out from the ICE port, installed through
 * libnftables' JSON API; the data path stays in the kernel, the daemon sees only STUN.
 */
package org.cunicu4j.proxy.nft;
