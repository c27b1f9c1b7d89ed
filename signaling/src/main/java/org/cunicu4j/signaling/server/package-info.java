/**
 * The gRPC signaling server ({@code cunicu4j signal}): service {@code cunicu.signaling.Signaling}
 * keeps one topic per recipient public key and nothing else — a subscriber first gets the empty
 * marker envelope, then every envelope published to its key through a bounded queue that drops
 * its oldest entries (counted) when the subscriber does not keep up; service
 * {@code cunicu.signaling.RelayRegistry} hands out TURN REST API credentials for the configured
 * relays; the standard gRPC health service reports SERVING until shutdown. {@link
 * org.cunicu4j.signaling.server.SignalingServer} owns the listening socket and its threads.
 */
package org.cunicu4j.signaling.server;
