/**
 * Port sharing for an external WireGuard device by raw sockets with a classic BPF filter
 * ({@link org.cunicu4j.proxy.ProxyMode#RAW}): {@link org.cunicu4j.proxy.raw.RawSocketProxy}
 * opens one raw UDP socket per family that sees only STUN to WireGuard's port,
 * {@link org.cunicu4j.proxy.raw.RawUdpConn} parses and builds the IP/UDP headers around it
 * ({@link org.cunicu4j.proxy.raw.UdpHeaders}) so that a UdpMux runs ICE on WireGuard's own
 * port, and a selected direct pair becomes WireGuard's endpoint: the data path stays in the
 * kernel, the daemon sees only STUN.
 */
package org.cunicu4j.proxy.raw;
