/**
 * Candidate gatherers for an ICE agent: {@link org.cunicu4j.ice.gather.HostGatherer} (a
 * UdpMux per local address, or the owner's shared-port muxes),
 * {@link org.cunicu4j.ice.gather.SrflxGatherer} (STUN Binding through those muxes),
 * {@link org.cunicu4j.ice.gather.RelayGatherer} (TURN allocations over UDP, TCP and TLS)
 * and {@link org.cunicu4j.ice.gather.CompositeGatherer}, with the RFC 8445 priority and
 * foundation rules in {@link org.cunicu4j.ice.gather.Priorities} and
 * {@link org.cunicu4j.ice.gather.Foundations}. Gatherers do their blocking work on platform
 * threads started from the thread that calls {@code gather}, so sockets open in that
 * thread's network namespace.
 */
package org.cunicu4j.ice.gather;
