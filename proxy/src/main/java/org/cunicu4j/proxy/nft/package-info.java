/**
 * Port sharing for an external WireGuard device by nftables port rewriting ({@link org.cunicu4j.proxy.ProxyMode#NFTABLES}):
 * the data path stays in the kernel, the daemon sees only STUN.
 */
package org.cunicu4j.proxy.nft;
