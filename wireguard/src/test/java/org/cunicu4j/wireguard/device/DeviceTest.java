package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.testlab.Waiter;
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
}
