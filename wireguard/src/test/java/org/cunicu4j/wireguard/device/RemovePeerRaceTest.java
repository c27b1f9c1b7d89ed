package org.cunicu4j.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Test;

/**
 * Removing a peer while the send path starts a handshake for it: no local index may outlive the
 * peer (a stress loop: without the peer lock around "removed" and the index removal it fails only
 * when the race is hit).
 */
class RemovePeerRaceTest {

    @Test
    void noIndexOutlivesARemovedPeer() throws Exception {
        try (DevicePair p = new DevicePair()) {
            PeerUpdate remove = new PeerUpdate(p.keyB.publicKey(), true, false, null, null, null, false, List.of());
            p.a.apply(DeviceUpdate.peers(remove));
            for (int i = 0; i < 300; i++) {
                p.a.apply(DeviceUpdate.peers(DevicePair.peer(p.keyB.publicKey(), "10.0.0.2/32")));
                p.a.setEndpoint(p.keyB.publicKey(), p.bindB.endpoint());
                p.tunA.inject(Packets.ipv4("10.0.0.1", "10.0.0.2", Packets.payload(40, i)));
                p.a.apply(DeviceUpdate.peers(remove));
            }
            assertThat(p.a.status().peers()).isEmpty();
            Waiter.until("no index left on A", Duration.ofSeconds(5), () -> p.a.indexCount() == 0);
        }
    }
}
