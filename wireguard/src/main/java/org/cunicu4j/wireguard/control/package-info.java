/**
 * One client API for any WireGuard device ({@link org.cunicu4j.wireguard.control.WireGuardControl})
 * and the value types it reads and writes: {@link org.cunicu4j.wireguard.control.DeviceStatus},
 * {@link org.cunicu4j.wireguard.control.DeviceUpdate} and their per-peer halves;
 * {@link org.cunicu4j.wireguard.control.WireGuardControls#open} finds a device by name (its UAPI
 * socket, else kernel netlink), and {@link org.cunicu4j.wireguard.control.AddressText} writes and
 * reads addresses in the forms {@code wg} uses.
 */
package org.cunicu4j.wireguard.control;
