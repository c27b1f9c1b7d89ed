/**
 * Module {@code proxy}: how a WireGuard interface's traffic and its peers' ICE agents share
 * UDP ports. A {@link org.cunicu4j.proxy.PortSharing} is made per interface (one of the five
 * modes of ARCHITECTURE.md, {@link org.cunicu4j.proxy.ProxyMode}); it builds the gatherers of
 * each peer's ICE agent ({@link org.cunicu4j.proxy.SharedPortGatherers} over the muxes it
 * shares) and, per peer, a {@link org.cunicu4j.proxy.PeerProxy} that points the WireGuard
 * peer's endpoint at whatever path the agent's selected pair proves ({@link org.cunicu4j.proxy.PeerProxies}
 * keeps a port sharing's attached proxies). The modes live in
 * subpackages: {@code bind} (BindProxy, our own device) and {@code user} (UserspaceProxy, an
 * external device).
 */
package org.cunicu4j.proxy;
