/**
 * Lab tests of the ICE agent in network namespaces (testlab): host–host on a LAN and over
 * IPv6, server-reflexive and relayed paths through NATs with coturn, consent freshness over
 * a cut path, hostile datagrams at an agent and at a UdpMux, and interop with ice4j, an ICE
 * implementation no one here wrote ({@link org.cunicu4j.ice.lab.Ice4jPeer}).
 */
package org.cunicu4j.ice.lab;
