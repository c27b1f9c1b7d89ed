/**
 * rtnetlink over an {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket:
 * {@link org.cunicu4j.linux.netlink.RtNetlink} looks up links, sets them up or down and
 * their MTU, adds and removes IPv4/IPv6 addresses and routes (any table, including those
 * above 255) with acknowledged, sequence-numbered requests and multipart dumps, and looks
 * routes up ({@code ip route get}, route dumps with their MTU metric); and
 * {@link org.cunicu4j.linux.netlink.NetlinkSubscription} delivers link and address changes
 * to a listener on a thread of its own. Parsing never trusts the kernel's (or anyone's)
 * bytes: malformed or truncated messages are counted and skipped.
 */
package org.cunicu4j.linux.netlink;
