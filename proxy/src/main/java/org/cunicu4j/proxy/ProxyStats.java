package org.cunicu4j.proxy;

/**
 * What a {@link PeerProxy} moved: datagrams and bytes towards the peer (WireGuard → ICE) and
 * from it (ICE → WireGuard), and datagrams dropped (no route yet, queue full, errors).
 */
public record ProxyStats(long txPackets, long txBytes, long rxPackets, long rxBytes, long dropped) {
    public static final ProxyStats ZERO = new ProxyStats(0, 0, 0, 0, 0);
}
