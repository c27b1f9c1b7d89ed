package org.cunicu4j.wireguard.device;

import java.io.IOException;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.testing.MemoryBind;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.tun.MemoryTun;

/**
 * Two devices in one process over a {@link MemoryNetwork}: A (10.0.0.1, fd00::1) knows B's
 * endpoint, B (10.0.0.2, fd00::2) learns A's from the handshake.
 */
final class DevicePair implements AutoCloseable {
    final MemoryNetwork network;
    final MemoryBind bindA;
    final MemoryBind bindB;
    final MemoryTun tunA = new MemoryTun("wga", 1420);
    final MemoryTun tunB = new MemoryTun("wgb", 1420);
    final Key keyA = Key.generatePrivate();
    final Key keyB = Key.generatePrivate();
    final Device a;
    final Device b;

    DevicePair(DeviceOptions options) throws IOException {
        MemoryBind[] binds = MemoryNetwork.pair();
        bindA = binds[0];
        bindB = binds[1];
        network = bindA.network();
        a = Device.open(tunA, bindA, options.withPrivateKey(keyA));
        b = Device.open(tunB, bindB, options.withPrivateKey(keyB));
        a.apply(DeviceUpdate.peers(peer(keyB.publicKey(), "10.0.0.2/32", "fd00::2/128")));
        b.apply(DeviceUpdate.peers(peer(keyA.publicKey(), "10.0.0.1/32", "fd00::1/128")));
        a.setEndpoint(keyB.publicKey(), bindB.endpoint());
    }

    DevicePair() throws IOException {
        this(DeviceOptions.defaults());
    }

    static PeerUpdate peer(Key pub, String... allowed) {
        return new PeerUpdate(pub, false, false, null, null, null, false,
                java.util.Arrays.stream(allowed).map(IpPrefix::parse).toList());
    }

    static PeerUpdate peerWithKeepalive(Key pub, int seconds) {
        return new PeerUpdate(pub, false, true, null, null, seconds, false, List.of());
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
