package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork;
import org.cunicu4j.wireguard.tun.MemoryTun;
import org.junit.jupiter.api.Test;

/** Device against device in one process: memory TUNs over a memory network. */
class DeviceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void pingBothWaysIpv4AndIpv6() throws Exception {
        try (DevicePair p = new DevicePair()) {
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(84, 1));
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
            byte[] pong = Packets.ipv4("10.0.0.2", "10.0.0.1", Packets.payload(84, 2));
            p.tunB.inject(pong);
            assertThat(p.tunA.take(WAIT)).isEqualTo(pong);

            byte[] ping6 = Packets.ipv6("fd00::1", "fd00::2", Packets.payload(1000, 3));
            p.tunA.inject(ping6);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping6);
            byte[] pong6 = Packets.ipv6("fd00::2", "fd00::1", Packets.payload(1380, 4));
            p.tunB.inject(pong6);
            assertThat(p.tunA.take(WAIT)).isEqualTo(pong6);

            // many packets in a row arrive in order
            for (int i = 0; i < 500; i++) {
                p.tunA.inject(Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(1 + i % 1400, i)));
            }
            for (int i = 0; i < 500; i++) {
                assertThat(p.tunB.take(WAIT)).as("packet %d", i).isEqualTo(Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(1 + i % 1400, i)));
            }

            DeviceStatus sa = p.a.status();
            assertThat(sa.peers()).hasSize(1);
            PeerStatus pa = sa.peers().getFirst();
            assertThat(pa.lastHandshake()).isNotNull();
            assertThat(pa.txBytes()).isGreaterThan(500L * 32);
            assertThat(pa.rxBytes()).isGreaterThan(0);
            assertThat(pa.allowedIps()).hasToString("[10.0.0.2/32, fd00:0:0:0:0:0:0:2/128]");
            assertThat(p.b.status().peers().getFirst().endpoint()).isEqualTo(p.bindA.endpoint().address());
            assertThat(p.a.counters().handshakesCompleted()).isEqualTo(1);
            assertThat(p.b.counters().handshakesCompleted()).isEqualTo(1);
            assertThat(p.a.counters().totalDropped()).isZero();
            assertThat(p.b.counters().totalDropped()).isZero();
            assertThat(sa.privateKey()).isEqualTo(p.keyA);
            assertThat(sa.toString()).doesNotContain(p.keyA.toBase64());
        }
    }

    /**
     * Both ends start sending at once (as two daemons whose ICE sessions connect together do):
     * their initiations cross. Each end keeps one handshake per peer, so if both answered, each
     * would drop the response to its own and nothing would confirm until a retry, which crosses
     * again when the traffic of both is in step. The end with the greater key keeps its own.
     */
    @Test
    void crossedInitiationsConfirmOneSessionWithoutARetry() throws Exception {
        try (DevicePair p = new DevicePair()) {
            p.b.setEndpoint(p.keyA.publicKey(), p.bindA.endpoint());
            // hold the first initiation of each side until both have sent one
            p.network.setImpairment((from, to, d) -> d.get(0) == 1 ? MemoryNetwork.Verdict.HOLD : MemoryNetwork.Verdict.DELIVER);
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(84, 1));
            byte[] pong = Packets.ipv4("10.0.0.2", "10.0.0.1", Packets.payload(84, 2));
            p.tunA.inject(ping);
            p.tunB.inject(pong);
            Waiter.until("both initiations held", WAIT, () -> p.network.heldCount() == 2);
            p.network.setImpairment(null);
            p.network.releaseHeld();

            assertThat(p.tunB.take(WAIT)).as(() -> "A " + p.a.counters() + "\nB " + p.b.counters()).isEqualTo(ping);
            assertThat(p.tunA.take(WAIT)).as(() -> "A " + p.a.counters() + "\nB " + p.b.counters()).isEqualTo(pong);
            Device winner = java.util.Arrays.compareUnsigned(p.keyA.publicKey().bytes(), p.keyB.publicKey().bytes()) > 0 ? p.a : p.b;
            Device loser = winner == p.a ? p.b : p.a;
            assertThat(winner.counters().dropped(DropReason.HANDSHAKE_CROSSED)).isEqualTo(1);
            assertThat(loser.counters().dropped(DropReason.HANDSHAKE_CROSSED)).isZero();
            // one session, confirmed without a second initiation from either side
            assertThat(winner.counters().handshakesCompleted()).isEqualTo(1);
            assertThat(p.a.counters().handshakeInitiationsSent()).isEqualTo(1);
            assertThat(p.b.counters().handshakeInitiationsSent()).isEqualTo(1);
            assertThat(p.a.counters().dropped(DropReason.HANDSHAKE_INVALID) + p.b.counters().dropped(DropReason.HANDSHAKE_INVALID)).isZero();
        }
    }

    /** Which of the pair's devices breaks a tie of crossed initiations (its key is the greater). */
    private static boolean aWinsTies(DevicePair p) {
        return java.util.Arrays.compareUnsigned(p.keyA.publicKey().bytes(), p.keyB.publicKey().bytes()) > 0;
    }

    /**
     * The responder has packets staged (its own initiation was lost): the first packet that
     * confirms its session must reach its TUN intact although sending the staged ones follows
     * at once on the same thread. The responder is the end that does not win ties, so it
     * answers at once.
     */
    @Test
    void firstPacketConfirmingAResponderWithStagedPacketsIsDelivered() throws Exception {
        try (DevicePair p = new DevicePair()) {
            p.b.setEndpoint(p.keyA.publicKey(), p.bindA.endpoint());
            boolean aResponds = !aWinsTies(p);
            Device responder = aResponds ? p.a : p.b;
            MemoryTun responderTun = aResponds ? p.tunA : p.tunB;
            MemoryTun initiatorTun = aResponds ? p.tunB : p.tunA;
            var responderEndpoint = aResponds ? p.bindA.endpoint() : p.bindB.endpoint();
            p.network.setImpairment((from, to, d) -> from.equals(responderEndpoint) && d.get(0) == 1
                    ? MemoryNetwork.Verdict.DROP : MemoryNetwork.Verdict.DELIVER);
            byte[] fromResponder = Packets.ipv4(aResponds ? "10.0.0.1" : "10.0.0.2", aResponds ? "10.0.0.2" : "10.0.0.1", Packets.payload(84, 2));
            responderTun.inject(fromResponder);
            Waiter.until("the responder's initiation lost", WAIT, () -> p.network.dropped() == 1);
            byte[] fromInitiator = Packets.ipv4(aResponds ? "10.0.0.2" : "10.0.0.1", aResponds ? "10.0.0.1" : "10.0.0.2", Packets.payload(84, 1));
            initiatorTun.inject(fromInitiator);

            assertThat(responderTun.take(WAIT)).as(() -> "responder " + responder.counters()).isEqualTo(fromInitiator);
            assertThat(initiatorTun.take(WAIT)).isEqualTo(fromResponder);
            assertThat(responder.counters().totalDropped()).isZero();
        }
    }

    /**
     * A path that works one way only: the initiations of the end that wins ties are lost. It
     * drops the other's first initiation as crossed, answers its retry, and the tunnel comes up.
     */
    @Test
    void theEndThatWinsTiesStillAnswersWhenItsOwnInitiationsAreLost() throws Exception {
        Timing quick = Timing.DEFAULT.withRekeyTimeout(Duration.ofMillis(500));
        try (DevicePair p = new DevicePair(DeviceOptions.defaults().withTiming(quick))) {
            p.b.setEndpoint(p.keyA.publicKey(), p.bindA.endpoint());
            boolean aWins = aWinsTies(p);
            Device winner = aWins ? p.a : p.b;
            MemoryTun winnerTun = aWins ? p.tunA : p.tunB;
            MemoryTun loserTun = aWins ? p.tunB : p.tunA;
            var winnerEndpoint = aWins ? p.bindA.endpoint() : p.bindB.endpoint();
            p.network.setImpairment((from, to, d) -> from.equals(winnerEndpoint) && d.get(0) == 1
                    ? MemoryNetwork.Verdict.DROP : MemoryNetwork.Verdict.DELIVER);
            byte[] fromWinner = Packets.ipv4(aWins ? "10.0.0.1" : "10.0.0.2", aWins ? "10.0.0.2" : "10.0.0.1", Packets.payload(84, 2));
            winnerTun.inject(fromWinner);
            Waiter.until("the winner's initiation lost", WAIT, () -> p.network.dropped() >= 1);
            byte[] fromLoser = Packets.ipv4(aWins ? "10.0.0.2" : "10.0.0.1", aWins ? "10.0.0.1" : "10.0.0.2", Packets.payload(84, 1));
            loserTun.inject(fromLoser);

            assertThat(winnerTun.take(WAIT)).as(() -> "winner " + winner.counters()).isEqualTo(fromLoser);
            assertThat(loserTun.take(WAIT)).isEqualTo(fromWinner);
            // at most one crossed initiation dropped (none if the loser's first came after the winner's window)
            assertThat(winner.counters().dropped(DropReason.HANDSHAKE_CROSSED)).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void packetsToNoPeerOrFromAForeignSourceAreDroppedAndCounted() throws Exception {
        try (DevicePair p = new DevicePair()) {
            p.tunA.inject(Packets.ipv4("10.0.0.1", "10.9.9.9", Packets.payload(20, 1)));
            Waiter.until("p.a.counters().dropped(DropReason.NO_ROUTE) == 1", WAIT, () -> p.a.counters().dropped(DropReason.NO_ROUTE) == 1);
            // B's packet with a source A does not allow for B
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(20, 1));
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
            p.tunB.inject(Packets.ipv4("10.0.0.77", "10.0.0.1", Packets.payload(20, 2)));
            Waiter.until("p.a.counters().dropped(DropReason.SOURCE_NOT_ALLOWED) == 1", WAIT, () -> p.a.counters().dropped(DropReason.SOURCE_NOT_ALLOWED) == 1);
            assertThat(p.tunA.poll()).isNull();
        }
    }

    @Test
    void roamingFollowsTheSourceOfAuthenticatedPackets() throws Exception {
        try (DevicePair p = new DevicePair()) {
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(50, 1));
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
            var moved = p.bindA.roam();
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
            assertThat(p.b.status().peers().getFirst().endpoint()).isEqualTo(moved.address());
            byte[] pong = Packets.ipv4("10.0.0.2", "10.0.0.1", Packets.payload(50, 2));
            p.tunB.inject(pong);
            assertThat(p.tunA.take(WAIT)).isEqualTo(pong); // B answers at A's new address
        }
    }

    @Test
    void peerRemovedAtRuntimeStopsTraffic() throws Exception {
        try (DevicePair p = new DevicePair()) {
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(50, 1));
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
            p.b.apply(DeviceUpdate.peers(PeerUpdate.removal(p.keyA.publicKey())));
            assertThat(p.b.status().peers()).isEmpty();
            assertThat(p.b.indexCount()).isZero();
            p.tunA.inject(ping);
            Waiter.until("p.b.counters().dropped(DropReason.UNKNOWN_RECEIVER) >= 1", WAIT, () -> p.b.counters().dropped(DropReason.UNKNOWN_RECEIVER) >= 1);
            assertThat(p.tunB.poll()).isNull();
            // adding it back: a new handshake, traffic flows again
            p.b.apply(DeviceUpdate.peers(DevicePair.peer(p.keyA.publicKey(), "10.0.0.1/32")));
            p.a.apply(DeviceUpdate.peers(PeerUpdate.removal(p.keyB.publicKey())));
            p.a.apply(DeviceUpdate.peers(DevicePair.peer(p.keyB.publicKey(), "10.0.0.2/32")));
            p.a.setEndpoint(p.keyB.publicKey(), p.bindB.endpoint());
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
        }
    }

    @Test
    void applySemantics() throws Exception {
        try (DevicePair p = new DevicePair()) {
            var psk = org.cunicu4j.wireguard.Key.generatePreshared();
            var other = org.cunicu4j.wireguard.Key.generatePrivate().publicKey();
            // updateOnly of an unknown peer does nothing; a new one is added
            p.a.apply(DeviceUpdate.peers(new PeerUpdate(other, false, true, null, null, 25, false, List.of())));
            assertThat(p.a.status().peers()).hasSize(1);
            p.a.apply(DeviceUpdate.peers(new PeerUpdate(other, false, false, psk, null, 25, false,
                    List.of(org.cunicu4j.net.IpPrefix.parse("10.1.0.0/16")))));
            PeerStatus ps = p.a.status().peers().stream().filter(s -> s.publicKey().equals(other)).findFirst().orElseThrow();
            assertThat(ps.presharedKey()).isEqualTo(psk);
            assertThat(ps.persistentKeepaliveSeconds()).isEqualTo(25);
            // replaceAllowedIps, a zero PSK removes it
            p.a.apply(DeviceUpdate.peers(new PeerUpdate(other, false, false,
                    org.cunicu4j.wireguard.Key.of(new byte[32], org.cunicu4j.wireguard.Key.Type.PRESHARED), null, null, true,
                    List.of(org.cunicu4j.net.IpPrefix.parse("10.2.0.0/16")))));
            ps = p.a.status().peers().stream().filter(s -> s.publicKey().equals(other)).findFirst().orElseThrow();
            assertThat(ps.presharedKey()).isNull();
            assertThat(ps.allowedIps()).hasToString("[10.2.0.0/16]");
            // replacePeers keeps only the named ones
            p.a.apply(new DeviceUpdate(null, null, null, true, List.of(DevicePair.peer(other))));
            assertThat(p.a.status().peers()).extracting(PeerStatus::publicKey).containsExactly(other);
            // an all-zero private key removes it
            p.a.apply(new DeviceUpdate(org.cunicu4j.wireguard.Key.of(new byte[32], org.cunicu4j.wireguard.Key.Type.PRIVATE),
                    null, 7, false, List.of()));
            assertThat(p.a.status().privateKey()).isNull();
            assertThat(p.a.status().fwmark()).isEqualTo(7);
            assertThat(p.bindA.mark()).isEqualTo(7);
        }
    }

    @Test
    void withPresharedKeyBothSidesConnect() throws Exception {
        try (DevicePair p = new DevicePair()) {
            var psk = org.cunicu4j.wireguard.Key.generatePreshared();
            p.a.apply(DeviceUpdate.peers(new PeerUpdate(p.keyB.publicKey(), false, true, psk, null, null, false, List.of())));
            p.b.apply(DeviceUpdate.peers(new PeerUpdate(p.keyA.publicKey(), false, true, psk, null, null, false, List.of())));
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(50, 1));
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
        }
    }

    @Test
    void listenPortChangeReopensTheBind() throws Exception {
        try (DevicePair p = new DevicePair()) {
            byte[] ping = Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(50, 1));
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
            p.b.apply(new DeviceUpdate(null, 40000, null, false, List.of()));
            assertThat(p.b.listenPort()).isEqualTo(40000);
            assertThat(p.b.status().listenPort()).isEqualTo(40000);
            p.tunA.inject(ping);
            assertThat(p.tunB.take(WAIT)).isEqualTo(ping);
        }
    }
}
