/**
 * Port sharing for an external WireGuard device by a raw socket with a BPF filter ({@link org.cunicu4j.proxy.ProxyMode#RAW}):
 * the data path stays in the kernel, the daemon sees only STUN.
 */
package org.cunicu4j.proxy.raw;
