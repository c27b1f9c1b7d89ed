/**
 * The multicast signaling backend ({@code multicast://GROUP:PORT[?interface=NAME]}): sealed
 * envelopes as single UDP datagrams to a multicast group, heard by every member on the link,
 * each keeping those for the recipients it subscribed to. No server; for one LAN or a lab.
 * {@link org.cunicu4j.signaling.multicast.MulticastTarget} reads the URL,
 * {@code GroupChannel} owns the joined socket, and
 * {@link org.cunicu4j.signaling.multicast.MulticastBackend} publishes, reads and dispatches.
 */
package org.cunicu4j.signaling.multicast;
