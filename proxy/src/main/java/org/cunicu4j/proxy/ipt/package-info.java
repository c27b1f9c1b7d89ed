/**
 * Port sharing for an external WireGuard device by iptables port rewriting
 * ({@link org.cunicu4j.proxy.ProxyMode#IPTABLES}): ICE on sockets of its own, and chains of
 * their own per interface ({@code c4j-<interface>-pre/-out/-post} in the raw and nat tables)
 * that leave STUN untracked for ICE, redirect everything else arriving at the ICE port to
 * WireGuard's port and make WireGuard's packets to a connected remote leave from the ICE
 * port; connection-tracking entries that would bypass the rules are deleted through ctnetlink.
 * The data path stays in the kernel, the daemon sees only STUN.
 */
package org.cunicu4j.proxy.ipt;
