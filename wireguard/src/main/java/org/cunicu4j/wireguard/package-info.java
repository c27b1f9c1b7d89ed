/**
 * Module {@code wireguard}: Userspace WireGuard: Noise IKpsk2, timers, allowed IPs, Bind SPI, UAPI.
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.wireguard;
