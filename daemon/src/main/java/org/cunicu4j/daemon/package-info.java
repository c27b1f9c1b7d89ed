/**
 * Module {@code daemon}: the cunicu4j daemon. {@link org.cunicu4j.daemon.Daemon} opens the
 * signaling backends, serves the control socket ({@code control}), and manages WireGuard
 * interfaces: it creates our own userspace device (a {@code ProxyBind} shared with ICE through
 * a {@code BindProxy}) or adopts an existing one (wireguard-go over UAPI, the kernel over
 * netlink, shared through a {@code UserspaceProxy}), applies the configuration ({@code config})
 * once, runs endpoint discovery per interface ({@code epdisc}) and, on one daemon thread, a
 * watcher that diffs devices and peers every {@code watch_interval} and on rtnetlink link
 * events. A lock file per interface keeps a second daemon off it.
 */
package org.cunicu4j.daemon;
