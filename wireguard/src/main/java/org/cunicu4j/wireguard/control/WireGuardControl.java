package org.cunicu4j.wireguard.control;

import java.io.IOException;

/**
 * Reads and changes one WireGuard device, whatever implements it: our own device
 * in-process, a userspace device through its UAPI socket (wireguard-go, boringtun, ours),
 * or the kernel through generic netlink.
 *
 * <p>Thread-safe. Errors name the device and what it refused.
 */
public interface WireGuardControl extends AutoCloseable {

    /** The interface name. */
    String name();

    /** The device and all its peers, now. */
    DeviceStatus status() throws IOException;

    /** Applies {@code update} as one transaction where the implementation allows. */
    void apply(DeviceUpdate update) throws IOException;

    /** Sets the endpoint of an existing peer: what the daemon does when ICE selects a pair. */
    default void setEndpoint(org.cunicu4j.wireguard.Key peer, java.net.InetSocketAddress endpoint) throws IOException {
        apply(DeviceUpdate.peers(PeerUpdate.endpoint(peer, endpoint)));
    }

    /** Releases the connection to the device (not the device). */
    @Override
    default void close() throws IOException {}
}
