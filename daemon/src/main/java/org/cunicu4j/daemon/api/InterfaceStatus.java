package org.cunicu4j.daemon.api;

import java.util.List;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;

/**
 * One WireGuard interface the daemon manages.
 *
 * @param name interface name
 * @param device what runs the WireGuard: {@code "cunicu4j"} (our userspace device, created by the daemon),
 *     {@code "userspace (uapi)"} (adopted: wireguard-go or another UAPI device), {@code "kernel"} (adopted, netlink)
 * @param publicKey the interface's public key (never the private one)
 * @param listenPort WireGuard's listen port
 * @param proxyMode the interface's port-sharing mode
 * @param proxyReason why that mode
 * @param peers one entry per WireGuard peer
 */
public record InterfaceStatus(String name, String device, Key publicKey, int listenPort, ProxyMode proxyMode,
        String proxyReason, List<PeerSessionStatus> peers) {
    public InterfaceStatus {
        peers = List.copyOf(peers);
    }
}
