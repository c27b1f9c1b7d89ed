package org.cunicu4j.wireguard.netlink;

/**
 * The constants of the kernel's WireGuard generic-netlink API, from
 * {@code include/uapi/linux/wireguard.h} (family "wireguard", version 1).
 */
final class WgNl {
    private WgNl() {}

    static final String FAMILY = "wireguard";
    static final int VERSION = 1;

    static final int WG_CMD_GET_DEVICE = 0;
    static final int WG_CMD_SET_DEVICE = 1;

    static final int WGDEVICE_F_REPLACE_PEERS = 1;

    static final int WGDEVICE_A_IFINDEX = 1;
    static final int WGDEVICE_A_IFNAME = 2;
    static final int WGDEVICE_A_PRIVATE_KEY = 3;
    static final int WGDEVICE_A_PUBLIC_KEY = 4;
    static final int WGDEVICE_A_FLAGS = 5;
    static final int WGDEVICE_A_LISTEN_PORT = 6;
    static final int WGDEVICE_A_FWMARK = 7;
    static final int WGDEVICE_A_PEERS = 8;

    static final int WGPEER_F_REMOVE_ME = 1;
    static final int WGPEER_F_REPLACE_ALLOWEDIPS = 2;
    static final int WGPEER_F_UPDATE_ONLY = 4;

    static final int WGPEER_A_PUBLIC_KEY = 1;
    static final int WGPEER_A_PRESHARED_KEY = 2;
    static final int WGPEER_A_FLAGS = 3;
    static final int WGPEER_A_ENDPOINT = 4;
    static final int WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL = 5;
    static final int WGPEER_A_LAST_HANDSHAKE_TIME = 6;
    static final int WGPEER_A_RX_BYTES = 7;
    static final int WGPEER_A_TX_BYTES = 8;
    static final int WGPEER_A_ALLOWEDIPS = 9;
    static final int WGPEER_A_PROTOCOL_VERSION = 10;

    static final int WGALLOWEDIP_A_FAMILY = 1;
    static final int WGALLOWEDIP_A_IPADDR = 2;
    static final int WGALLOWEDIP_A_CIDR_MASK = 3;

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    /** The attribute-type bit of a nested attribute. */
    static final int NLA_F_NESTED = 0x8000;
    /** The attribute-type bits without the nested and byte-order flags. */
    static final int NLA_TYPE_MASK = 0x3fff;
}
