/**
 * A cunicu4j mesh in the lab: {@link org.cunicu4j.testlab.mesh.MeshLab} builds a
 * {@link org.cunicu4j.testlab.mesh.Scenario} (one switch, endpoint-independent NATs,
 * symmetric NATs, UDP blocked, the demo) of three peers and a server running coturn and our
 * signaling server, writes each peer's daemon config (0600, generated keys), and runs the
 * CLI's {@code daemon}, {@code signal} and {@code status} as processes through a
 * {@link org.cunicu4j.testlab.mesh.Launcher} (so testlab still depends on none of our
 * modules), with our userspace devices or wireguard-go ({@link org.cunicu4j.testlab.mesh.DeviceKind});
 * it waits for the sessions to connect, pings all pairs through the tunnels
 * ({@link org.cunicu4j.testlab.mesh.PingMatrix}), kills and restarts daemons and the signaling
 * server, and removes everything on close. Used by the e2e tests and by {@code cunicu4j demo}.
 */
package org.cunicu4j.testlab.mesh;
