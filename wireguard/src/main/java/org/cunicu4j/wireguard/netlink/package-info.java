/**
 * The kernel's WireGuard generic-netlink API ({@code include/uapi/linux/wireguard.h}): the
 * attribute codec of {@code WG_CMD_GET_DEVICE} and {@code WG_CMD_SET_DEVICE}
 * ({@link org.cunicu4j.wireguard.netlink.WgNetlinkCodec}) and a
 * {@link org.cunicu4j.wireguard.control.WireGuardControl} over it
 * ({@link org.cunicu4j.wireguard.netlink.NetlinkWireGuardControl}), on the generic-netlink
 * socket of module {@code linux}.
 */
package org.cunicu4j.wireguard.netlink;
