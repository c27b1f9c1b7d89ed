package org.cunicu4j.linux.netlink;

/**
 * A network interface as rtnetlink reports it.
 *
 * @param index the interface index, unique in its network namespace
 * @param name  the interface name ("tun0")
 * @param up    whether it is administratively up ({@code IFF_UP})
 * @param mtu   the MTU in bytes, 0 if the kernel did not say
 * @param flags all {@code IFF_*} flags
 */
public record Link(int index, String name, boolean up, int mtu, int flags) {}
