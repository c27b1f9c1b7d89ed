/**
 * One client API for any WireGuard device ({@link org.cunicu4j.wireguard.control.WireGuardControl})
 * and the value types it reads and writes: {@link org.cunicu4j.wireguard.control.DeviceStatus},
 * {@link org.cunicu4j.wireguard.control.DeviceUpdate} and their per-peer halves.
 */
package org.cunicu4j.wireguard.control;
