/**
 * ICE (RFC 8445, trickle RFC 8838, consent freshness RFC 7675): {@link org.cunicu4j.ice.IceAgent}
 * finds the path between two peers over the bases its {@link org.cunicu4j.ice.Gatherer}s
 * give it, and {@link org.cunicu4j.ice.IceConnection} carries data on the selected pair;
 * candidates ({@link org.cunicu4j.ice.Candidate}, with its SDP form), configuration,
 * listeners and statistics snapshots live here too. The check list, transactions and
 * readers are package-private. Gatherers are in {@code ice.gather}, the shared-port
 * {@code UdpMux} in {@code ice.mux}, test doubles (a fake clock, a static gatherer) in
 * {@code ice.testing}.
 */
package org.cunicu4j.ice;
