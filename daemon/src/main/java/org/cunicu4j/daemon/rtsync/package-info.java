/**
 * Route synchronisation (cunīcu's {@code rtsync}): {@link org.cunicu4j.daemon.rtsync.RouteSync}
 * installs a kernel route for each of a peer's allowed IPs via the peer's derived address in the
 * configured routing table (tagged with its own route protocol,
 * {@link org.cunicu4j.daemon.rtsync.RouteSync#PROTOCOL}), and, the other way, turns routes
 * someone else put there pointing at a peer's address into allowed IPs of that peer — following
 * the table's changes — so that a routing daemon can steer traffic over one WireGuard interface.
 * {@link org.cunicu4j.daemon.rtsync.AllowedIpSink} is what it needs from the daemon;
 * {@link org.cunicu4j.daemon.rtsync.Prefixes} does the prefix arithmetic.
 */
package org.cunicu4j.daemon.rtsync;
