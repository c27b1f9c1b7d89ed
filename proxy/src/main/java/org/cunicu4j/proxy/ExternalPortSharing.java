package org.cunicu4j.proxy;

/**
 * Port sharing for an external WireGuard device (wireguard-go or the kernel, driven through
 * its control): the user-space proxy and the three kernel modes (raw socket, nftables,
 * iptables). Their data path or rules name the device's listen port, so whoever watches the
 * device (the daemon) tells them when it changes. Thread-safe.
 */
public interface ExternalPortSharing extends PortSharing {

    /**
     * The device now listens on {@code port} (a restart, a {@code listen-port} change): every
     * path, socket filter or rule that names the old port follows. Any thread.
     *
     * @throws IllegalArgumentException when the port is not 1..65535
     * @throws java.io.UncheckedIOException when rules or filters could not be rewritten (named)
     */
    void listenPortChanged(int port);

    /** The device's listen port this sharing uses now. */
    int listenPort();
}
