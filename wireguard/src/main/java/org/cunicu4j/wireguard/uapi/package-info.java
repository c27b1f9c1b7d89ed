/**
 * The cross-platform userspace configuration protocol of WireGuard (wireguard.com/xplatform):
 * the text codec of {@code get=1} answers and {@code set=1} requests ({@link
 * org.cunicu4j.wireguard.uapi.UapiCodec}), a server on {@code /var/run/wireguard/<ifname>.sock}
 * in front of any {@link org.cunicu4j.wireguard.control.WireGuardControl} ({@link
 * org.cunicu4j.wireguard.uapi.UapiServer}), so that the stock {@code wg} tool configures our
 * device, and a client for any userspace device: wireguard-go, boringtun, ours ({@link
 * org.cunicu4j.wireguard.uapi.UapiClient}).
 */
package org.cunicu4j.wireguard.uapi;
