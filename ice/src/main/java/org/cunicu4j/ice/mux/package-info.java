/**
 * Many ICE agents, and WireGuard, over one UDP port: {@link org.cunicu4j.ice.mux.UdpMux}
 * reads the shared {@link org.cunicu4j.net.PacketConn} on one thread, routes STUN by the
 * local username fragment in USERNAME and then by the remote address it learnt, hands
 * everything else to the owner's {@link org.cunicu4j.ice.mux.UdpMux.ForeignHandler}, and
 * gives each agent a {@link org.cunicu4j.ice.mux.MuxedConn} that looks like a socket of its
 * own. With server-reflexive discovery switched on it also asks STUN servers for the
 * port's mapped address from the same socket. Modelled on pion/ice's split of mux and agent.
 */
package org.cunicu4j.ice.mux;
