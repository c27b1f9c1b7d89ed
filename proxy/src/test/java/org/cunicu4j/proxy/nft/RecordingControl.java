package org.cunicu4j.proxy.nft;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/** A device that is only a name, a listen port and the endpoints set on it. */
final class RecordingControl implements WireGuardControl {
    private final String name;
    volatile int listenPort;
    final Map<Key, InetSocketAddress> endpoints = new ConcurrentHashMap<>();

    RecordingControl(String name, int listenPort) {
        this.name = name;
        this.listenPort = listenPort;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceStatus status() {
        return new DeviceStatus(null, listenPort, 0, List.of());
    }

    @Override
    public void apply(DeviceUpdate update) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setEndpoint(Key peer, InetSocketAddress endpoint) {
        endpoints.put(peer, endpoint);
    }
}
