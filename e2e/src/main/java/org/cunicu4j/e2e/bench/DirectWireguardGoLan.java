package org.cunicu4j.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.WireguardGo;

/**
 * The benchmarks' baseline without a daemon: two hosts on one switch (testlab's
 * {@link PeerTopologies#oneLan}, as the mesh's one-switch scenario), wireguard-go in each,
 * configured directly with {@code wg} (keys, listen port, the other as peer with its LAN
 * endpoint) and tunnel addresses 10.99.0.1 and 10.99.0.2. What the lab started, the lab
 * stops.
 *
 * @param alice the iperf3 client's host
 * @param bob the iperf3 server's host
 * @param bobTunnelIp bob's tunnel address
 */
public record DirectWireguardGoLan(Host alice, Host bob, String bobTunnelIp) {
    private static final String TUNNEL_ALICE = "10.99.0.1";
    private static final String TUNNEL_BOB = "10.99.0.2";
    private static final int PORT = 51820;

    /** Builds it in {@code lab}; returns once both interfaces are up (the first ping makes the handshake). */
    public static DirectWireguardGoLan open(Lab lab) throws Exception {
        OneLan lan = PeerTopologies.oneLan(lab);
        WireguardGo a = WireguardGo.start(lan.alice());
        WireguardGo b = WireguardGo.start(lan.bob());
        String[] ka = keys(lab, lan.alice(), a.interfaceName());
        String[] kb = keys(lab, lan.bob(), b.interfaceName());
        configure(a, ka[0], kb[1], PeerTopologies.LAN_BOB_IP, TUNNEL_ALICE, TUNNEL_BOB);
        configure(b, kb[0], ka[1], PeerTopologies.LAN_ALICE_IP, TUNNEL_BOB, TUNNEL_ALICE);
        return new DirectWireguardGoLan(lan.alice(), lan.bob(), TUNNEL_BOB);
    }

    /** A private key file (0600) and the public key. */
    private static String[] keys(Lab lab, Host host, String ifname) throws Exception {
        String priv = host.run("wg", "genkey").stdout().strip();
        String pub = Exec.run(Exec.DEFAULT_TIMEOUT, java.util.List.of("wg", "pubkey"), Map.of(), priv + "\n")
                .orThrow().stdout().strip();
        Path file = lab.workDir().resolve(ifname + ".key");
        Files.writeString(file, priv + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return new String[] {file.toString(), pub};
    }

    private static void configure(WireguardGo wg, String keyFile, String peerPub, String peerLanIp, String ownTunnel,
            String peerTunnel) {
        wg.wg("set", wg.interfaceName(), "private-key", keyFile, "listen-port", Integer.toString(PORT),
                "peer", peerPub, "allowed-ips", peerTunnel + "/32", "endpoint", peerLanIp + ":" + PORT);
        Host h = wg.host();
        h.run("ip", "addr", "add", ownTunnel + "/24", "dev", wg.interfaceName());
        h.run("ip", "link", "set", wg.interfaceName(), "mtu", "1420", "up");
    }
}
