package org.cunicu4j.e2e.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.PingMatrix;
import org.cunicu4j.testlab.mesh.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Recovery of a running mesh (one {@link MeshLab} for the class: three peers behind
 * endpoint-independent NATs with our devices, so the sessions depend on signaling and on
 * NAT state): a daemon killed with SIGKILL and started again reconnects to both peers; the
 * signaling server restarted under established tunnels interrupts no ping, and sessions
 * still come up through the new server afterwards; a peer removed with
 * {@code wg set IF peer KEY remove} has its session torn down. The tests run in that order
 * (the last one changes the mesh for good).
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "turnserver", "wg", "ping"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonRecoveryTest {
    private static final Duration CONNECT = Duration.ofSeconds(90);
    /** The first pings start WireGuard handshakes: pinged again until every pair answers. */
    private static final Duration PINGS = Duration.ofSeconds(20);
    private static final Pattern REPLY = Pattern.compile("bytes from .*icmp_seq=(\\d+)");

    private MeshLab mesh;
    private MeshPeer alice;
    private MeshPeer bob;
    private MeshPeer carol;

    @BeforeAll
    void startMesh() {
        mesh = Meshes.start(Scenario.EI_NATS, DeviceKind.OURS);
        mesh.awaitConnected(CONNECT);
        alice = mesh.peers().get(0);
        bob = mesh.peers().get(1);
        carol = mesh.peers().get(2);
    }

    @AfterAll
    void closeMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    @Order(1)
    void aDaemonKilledAndRestartedReconnectsToItsPeers() {
        long pidBefore = alice.daemon().pid();
        mesh.killDaemon(alice, "KILL");
        Waiter.until("alice's daemon is gone after SIGKILL", Duration.ofSeconds(10), () -> !alice.daemonAlive());

        mesh.restartDaemon(alice);
        assertThat(alice.daemon().pid()).as("a new daemon process").isNotEqualTo(pidBefore);
        mesh.awaitConnected(CONNECT);
        PingMatrix pings = mesh.awaitPings(PINGS);
        assertThat(pings.failures()).as("pings after alice's daemon came back:%n%s", pings.format()).isEmpty();
        StatusView bobs = StatusView.parse(mesh.statusJson(bob));
        assertThat(bobs.peer(alice.publicKey()).map(StatusView.Peer::state)).as(bobs.json()).contains("CONNECTED");
    }

    @Test
    @Order(2)
    void restartingTheSignalingServerInterruptsNoTunnelAndSessionsResumeThroughTheNewOne() {
        Host from = alice.host();
        LabProcess pinger = from.start("ping", "-O", "-i", "0.1", "-W", "1", "-c", "100000", bob.tunnelIp());
        try {
            Waiter.until("the first pings reach bob", Duration.ofSeconds(10), () -> replies(pinger) >= 5);
            mesh.restartSignaling();
            int after = replies(pinger) + 20;
            Waiter.until("20 more pings after the signaling server is back", Duration.ofSeconds(30),
                    () -> replies(pinger) >= after);
        } finally {
            pinger.close();
        }
        String out = pinger.output();
        int highestSeq = REPLY.matcher(out).results().mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
        long received = REPLY.matcher(out).results().count();
        System.out.printf("signaling restart: %d of %d pings alice → bob answered (10/s)%n", received, highestSeq);
        assertThat(highestSeq - received).as("pings alice → bob lost across the signaling restart (%d received):%n%s",
                received, out).isLessThanOrEqualTo(1);
        for (MeshPeer p : mesh.peers()) {
            StatusView s = StatusView.parse(mesh.statusJson(p));
            assertThat(s.peers()).as(p.name() + "'s sessions after the signaling restart:\n" + s.json())
                    .allSatisfy(x -> assertThat(x.state()).isEqualTo("CONNECTED"));
        }

        // sessions resume through the new server: a peer that restarts finds the others again
        mesh.killDaemon(carol, "KILL");
        mesh.restartDaemon(carol);
        mesh.awaitConnected(CONNECT);
        PingMatrix pings = mesh.awaitPings(PINGS);
        assertThat(pings.failures()).as("pings after carol restarted behind the new signaling server:%n%s",
                pings.format()).isEmpty();
    }

    @Test
    @Order(3)
    void aPeerRemovedWithWgSetHasItsSessionTornDown() {
        alice.host().run("wg", "set", alice.ifname(), "peer", bob.publicKey(), "remove");

        Waiter.until("alice's session with bob is gone or CLOSED", Duration.ofSeconds(20), () -> {
            Optional<StatusView.Peer> s = StatusView.parse(mesh.statusJson(alice)).peer(bob.publicKey());
            return s.isEmpty() || "CLOSED".equals(s.get().state());
        });
        assertThat(alice.host().exec("wg", "show", alice.ifname(), "peers").stdout()).doesNotContain(bob.publicKey());
        StatusView s = StatusView.parse(mesh.statusJson(alice));
        assertThat(s.peer(carol.publicKey()).map(StatusView.Peer::state)).as("alice's other session stays:\n" + s.json())
                .contains("CONNECTED");
        assertThat(alice.host().exec("ping", "-c", "1", "-W", "1", carol.tunnelIp()).ok()).as("alice → carol").isTrue();
    }

    private static int replies(LabProcess pinger) {
        return (int) REPLY.matcher(pinger.output()).results().count();
    }
}
