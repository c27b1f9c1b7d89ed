/**
 * UserspaceProxy, the port-sharing mode for an external WireGuard device (wireguard-go,
 * the kernel): ICE on sockets of its own, and per peer a loopback socket set as the
 * WireGuard peer's endpoint with two copy loops between it and the agent's connection.
 */
package org.cunicu4j.proxy.user;
