/**
 * Port sharing for an external WireGuard device by iptables port rewriting ({@link org.cunicu4j.proxy.ProxyMode#IPTABLES}):
 * the data path stays in the kernel, the daemon sees only STUN.
 */
package org.cunicu4j.proxy.ipt;
