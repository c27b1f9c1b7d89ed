package org.cunicu4j.proxy.bind;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.tun.MemoryTun;

/**
 * One of our devices for the tests, wired as the daemon wires it: a MemoryTun, a
 * {@link ProxyBind}, {@code Device.open(tun, bind, options)}, a {@link BindProxy} on it.
 * Made in the calling thread's namespace. Closes the proxy, then the device (and Bind).
 */
final class OurNode implements AutoCloseable {
    final Key key = Key.generatePrivate();
    final Key pub = key.publicKey();
    final MemoryTun tun;
    final ProxyBind bind = new ProxyBind();
    final Device device;
    final BindProxy proxy;

    OurNode(String name) throws IOException {
        tun = new MemoryTun(name, 1420);
        device = Device.open(tun, bind, DeviceOptions.defaults().withPrivateKey(key));
        proxy = BindProxy.open(device, bind);
    }

    void addPeer(Key peer, String allowed) throws IOException {
        device.apply(DeviceUpdate.peers(new PeerUpdate(peer, false, false, null, null, null, false,
                List.of(IpPrefix.parse(allowed)))));
    }

    /** The device's endpoint for {@code peer}, or null. */
    InetSocketAddress endpointOf(Key peer) {
        return device.status().peers().stream().filter(p -> p.publicKey().equals(peer))
                .findFirst().map(PeerStatus::endpoint).orElse(null); // no endpoint yet: null, not an NPE in findFirst
    }

    @Override
    public void close() {
        proxy.close();
        device.close();
    }
}
