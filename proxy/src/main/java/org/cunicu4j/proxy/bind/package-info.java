/**
 * BindProxy, the port-sharing mode for our own WireGuard device: a {@link
 * org.cunicu4j.proxy.bind.ProxyBind} (a UdpBind that queues what is not WireGuard for ICE
 * and carries relayed endpoints over TURN), the {@link org.cunicu4j.proxy.bind.BindProxy}
 * that runs one fed UdpMux per family on the Bind's shared sockets, and the per-peer proxy
 * that points the WireGuard peer at the remote candidate or at a {@link
 * org.cunicu4j.proxy.bind.RelayEndpoint}.
 */
package org.cunicu4j.proxy.bind;
