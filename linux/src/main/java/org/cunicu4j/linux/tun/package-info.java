/**
 * TUN devices: {@link org.cunicu4j.linux.tun.TunDevice} creates or attaches to a layer-3
 * TUN interface by name ({@code /dev/net/tun}, {@code IFF_TUN|IFF_NO_PI}, optionally
 * multi-queue) and reads and writes whole IP packets through direct buffers, one packet
 * per call and without allocating; closing a queue wakes a reader blocked on it.
 * Addresses, MTU and link state are set with {@link org.cunicu4j.linux.netlink.RtNetlink}.
 */
package org.cunicu4j.linux.tun;
