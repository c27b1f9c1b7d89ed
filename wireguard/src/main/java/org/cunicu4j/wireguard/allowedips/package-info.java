/**
 * The allowed-IPs table of a WireGuard device: {@link org.cunicu4j.wireguard.allowedips.AllowedIps},
 * a longest-prefix-match trie for IPv4 and IPv6 that maps a packet's destination to the
 * peer it is routed to and checks that a decrypted packet's source belongs to the peer it
 * came from. Lookups are lock-free and allocation-free; changes copy the path they touch.
 */
package org.cunicu4j.wireguard.allowedips;
