package org.cunicu4j.testlab.mesh;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML configuration of one mesh peer's daemon, laid out like cunīcu's (snake_case):
 * {@code backends}, {@code ice} (urls, username, password, timers), {@code rpc.socket} and one
 * entry under {@code interfaces} with the device, its key, port, addresses and the other
 * peers. Pure text: nothing here touches the machine. It holds the private key, so
 * {@link MeshLab} writes it to a 0600 file; {@link #toString()} leaves the key out. Immutable.
 *
 * @param ifname the WireGuard interface name
 * @param device our userspace device ({@code userspace: true}) or an adopted wireguard-go ({@code false})
 * @param privateKey the interface's private key (base64)
 * @param listenPort WireGuard's UDP port
 * @param addresses the tunnel addresses in CIDR notation
 * @param backends signaling backend URLs
 * @param iceUrls STUN and TURN server URLs
 * @param iceUsername TURN user name
 * @param icePassword TURN password
 * @param ice more {@code ice} settings, in order: a string value (e.g. {@code check_interval: 200ms}) or a
 *     list of strings (written as a flow sequence)
 * @param rpcSocket the control socket path
 * @param peers the other peers, in order
 */
public record MeshConfig(String ifname, DeviceKind device, String privateKey, int listenPort, List<String> addresses,
        List<String> backends, List<String> iceUrls, String iceUsername, String icePassword, Map<String, Object> ice,
        String rpcSocket, List<Peer> peers) {

    /**
     * A remote peer as the config names it.
     *
     * @param name the peer's name (the key under {@code peers})
     * @param publicKey its public key (base64)
     * @param allowedIps its tunnel addresses as /32 and /128
     */
    public record Peer(String name, String publicKey, List<String> allowedIps) {
        public Peer {
            allowedIps = List.copyOf(allowedIps);
        }
    }

    public MeshConfig {
        addresses = List.copyOf(addresses);
        backends = List.copyOf(backends);
        iceUrls = List.copyOf(iceUrls);
        ice = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ice));
        peers = List.copyOf(peers);
    }

    /** The YAML text. */
    public String yaml() {
        StringBuilder y = new StringBuilder();
        y.append("# cunicu4j daemon configuration written by the mesh lab (testlab MeshLab)\n");
        y.append("backends:\n");
        backends.forEach(b -> y.append("  - ").append(quote(b)).append('\n'));
        y.append("ice:\n");
        y.append("  urls:\n");
        iceUrls.forEach(u -> y.append("    - ").append(quote(u)).append('\n'));
        y.append("  username: ").append(quote(iceUsername)).append('\n');
        y.append("  password: ").append(quote(icePassword)).append('\n');
        ice.forEach((k, v) -> y.append("  ").append(k).append(": ").append(value(v)).append('\n'));
        y.append("rpc:\n");
        y.append("  socket: ").append(quote(rpcSocket)).append('\n');
        y.append("interfaces:\n");
        y.append("  ").append(ifname).append(":\n");
        y.append("    userspace: ").append(device == DeviceKind.OURS).append('\n');
        y.append("    private_key: ").append(quote(privateKey)).append('\n');
        y.append("    listen_port: ").append(listenPort).append('\n');
        y.append("    addresses:\n");
        addresses.forEach(a -> y.append("      - ").append(quote(a)).append('\n'));
        y.append("    peers:\n");
        for (Peer p : peers) {
            y.append("      ").append(p.name()).append(":\n");
            y.append("        public_key: ").append(quote(p.publicKey())).append('\n');
            y.append("        allowed_ips:\n");
            p.allowedIps().forEach(a -> y.append("          - ").append(quote(a)).append('\n'));
        }
        return y.toString();
    }

    private static String value(Object v) {
        if (v instanceof List<?> l) {
            return "[" + String.join(", ", l.stream().map(e -> quote(String.valueOf(e))).toList()) + "]";
        }
        return quote(String.valueOf(v));
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> q.append(c);
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return "MeshConfig[" + ifname + ", " + device + ", port " + listenPort + ", " + addresses + ", peers "
                + peers.stream().map(Peer::name).toList() + ", private key hidden]";
    }
}
