/**
 * Endpoint discovery (cunīcu's {@code epdisc}): one ICE session per WireGuard peer, brought
 * together over signaling. {@link org.cunicu4j.daemon.epdisc.EndpointDiscovery} runs per
 * interface with one wildcard subscription and dispatches each message by its sender to the
 * peer's session, which exchanges credentials ({@code need_creds} with backoff,
 * {@link org.cunicu4j.daemon.epdisc.CredentialsBackoff}), trickles candidates
 * ({@link org.cunicu4j.daemon.epdisc.CandidateCodec}), takes its ICE role from the key
 * comparison ({@link org.cunicu4j.daemon.epdisc.Roles}), restarts on failure and on changed
 * remote credentials, and forwards the selected pair to the interface's
 * {@link org.cunicu4j.proxy.PortSharing}.
 */
package org.cunicu4j.daemon.epdisc;
