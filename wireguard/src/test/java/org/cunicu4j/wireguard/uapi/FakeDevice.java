package org.cunicu4j.wireguard.uapi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * An in-memory WireGuard device for tests: applies updates with the semantics of
 * wireguard-go (an allowed IP moves to the peer that last claimed it). Thread-safe.
 */
final class FakeDevice implements WireGuardControl {
    private final String name;
    private Key privateKey;
    private int listenPort;
    private int fwmark;
    private final Map<Key, Peer> peers = new LinkedHashMap<>();
    int applied;

    private static final class Peer {
        final Key publicKey;
        Key psk;
        InetSocketAddress endpoint;
        int keepalive;
        final List<IpPrefix> allowed = new ArrayList<>();
        Instant handshake;
        long rx;
        long tx;

        Peer(Key publicKey) {
            this.publicKey = publicKey;
        }
    }

    FakeDevice(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized DeviceStatus status() {
        List<PeerStatus> list = new ArrayList<>();
        for (Peer p : peers.values()) {
            list.add(new PeerStatus(p.publicKey, p.psk, p.endpoint, p.keepalive, p.allowed, p.handshake, p.rx, p.tx, 1));
        }
        return new DeviceStatus(privateKey, listenPort, fwmark, list);
    }

    /** Sets the counters {@code wg show} prints for a peer. */
    synchronized void stats(Key peer, Instant handshake, long rx, long tx) {
        Peer p = peers.get(peer);
        p.handshake = handshake;
        p.rx = rx;
        p.tx = tx;
    }

    @Override
    public synchronized void apply(DeviceUpdate u) throws IOException {
        applied++;
        if (u.privateKey() != null) {
            privateKey = UapiCodec.isZero(u.privateKey()) ? null : u.privateKey();
        }
        if (u.listenPort() != null) {
            if (u.listenPort() == 9) {
                throw new UapiException(98, "port 9 is in use"); // EADDRINUSE, for the errno path
            }
            listenPort = u.listenPort();
        }
        if (u.fwmark() != null) {
            fwmark = u.fwmark();
        }
        if (u.replacePeers()) {
            peers.clear();
        }
        for (PeerUpdate pu : u.peers()) {
            if (pu.remove()) {
                peers.remove(pu.publicKey());
                continue;
            }
            Peer p = peers.get(pu.publicKey());
            if (p == null) {
                if (pu.updateOnly()) {
                    continue;
                }
                p = new Peer(pu.publicKey());
                peers.put(pu.publicKey(), p);
            }
            if (pu.presharedKey() != null) {
                p.psk = UapiCodec.isZero(pu.presharedKey()) ? null : pu.presharedKey();
            }
            if (pu.endpoint() != null) {
                p.endpoint = pu.endpoint();
            }
            if (pu.persistentKeepaliveSeconds() != null) {
                p.keepalive = pu.persistentKeepaliveSeconds();
            }
            if (pu.replaceAllowedIps()) {
                p.allowed.clear();
            }
            for (IpPrefix a : pu.allowedIps()) {
                IpPrefix m = a.masked();
                for (Peer other : peers.values()) {
                    other.allowed.remove(m);
                }
                p.allowed.add(m);
            }
        }
    }
}
