/**
 * ICE (RFC 8445, trickle RFC 8838, consent freshness RFC 7675): the agent that finds the
 * path between two peers, its candidates and gatherers, and the UdpMux that lets many
 * agents (and WireGuard) share one UDP port.
 */
package org.cunicu4j.ice;
