/**
 * The TUN seam of the userspace WireGuard device: {@link org.cunicu4j.wireguard.tun.Tun}
 * (batched packet reads and writes), the Linux TUN adapter
 * {@link org.cunicu4j.wireguard.tun.LinuxTun} and the in-memory
 * {@link org.cunicu4j.wireguard.tun.MemoryTun} that lets device-against-device tests run
 * without root.
 */
package org.cunicu4j.wireguard.tun;
