package org.cunicu4j.daemon.api;

import java.time.Duration;
import java.time.Instant;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;

/**
 * One peer: its ICE session joined with its WireGuard counters.
 *
 * @param name the peer's name from the configuration, or null
 * @param publicKey the peer's public key
 * @param state the session's state
 * @param proxyMode the mode serving this peer (null before a pair is selected)
 * @param proxyReason why that mode (null with it)
 * @param selectedPair the selected pair, or null
 * @param rtt round-trip time of the selected pair's last check, or null
 * @param rxBytes WireGuard bytes received from the peer
 * @param txBytes WireGuard bytes sent to the peer
 * @param lastHandshake the last completed WireGuard handshake, or null
 * @param endpoint the WireGuard peer's endpoint as the device reports it, or null
 * @param restarts how often the session restarted (ICE restarts, local or remote)
 * @param lastError the last error of the session (what failed and why), or null
 */
public record PeerSessionStatus(String name, Key publicKey, ConnectionState state, ProxyMode proxyMode,
        String proxyReason, SelectedPair selectedPair, Duration rtt, long rxBytes, long txBytes,
        Instant lastHandshake, String endpoint, int restarts, String lastError) {}
