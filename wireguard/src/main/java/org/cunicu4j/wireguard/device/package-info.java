/**
 * The userspace WireGuard device ({@link org.cunicu4j.wireguard.device.Device}): peers,
 * timers, the send and receive paths between a {@link org.cunicu4j.wireguard.tun.Tun} and a
 * {@link org.cunicu4j.wireguard.conn.Bind}, counters, and the options and clock seam
 * ({@link org.cunicu4j.wireguard.device.DeviceOptions}, {@link org.cunicu4j.wireguard.device.Clock},
 * {@link org.cunicu4j.wireguard.device.FakeClock}) that let tests run the timers on a fake clock.
 */
package org.cunicu4j.wireguard.device;
