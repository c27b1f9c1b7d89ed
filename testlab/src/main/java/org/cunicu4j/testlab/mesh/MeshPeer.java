package org.cunicu4j.testlab.mesh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.NatRouter;
import org.cunicu4j.testlab.WireguardGo;

/**
 * One peer of a {@link MeshLab}: its namespace, NAT router (if any), WireGuard interface,
 * tunnel addresses, public key, config file and control socket, and the daemon processes
 * started for it (one per start or restart, each with its own log). The private key is only
 * in the 0600 config file. Made and owned by the mesh lab; thread-safe.
 */
public final class MeshPeer {
    private final String name;
    private final int index;
    private final Host host;
    private final NatRouter nat;
    private final String ifname;
    private final String tunnelIp;
    private final String tunnelIp6;
    private final MeshKeys keys;
    private final Path configFile;
    private final Path socket;
    private final int listenPort;
    private final List<LabProcess> runs = new ArrayList<>();
    private volatile WireguardGo wireguardGo;
    private volatile MonitorFeed monitor;

    MeshPeer(String name, int index, Host host, NatRouter nat, String ifname, String tunnelIp, String tunnelIp6,
            MeshKeys keys, Path configFile, Path socket, int listenPort) {
        this.name = name;
        this.index = index;
        this.host = host;
        this.nat = nat;
        this.ifname = ifname;
        this.tunnelIp = tunnelIp;
        this.tunnelIp6 = tunnelIp6;
        this.keys = keys;
        this.configFile = configFile;
        this.socket = socket;
        this.listenPort = listenPort;
    }

    /** alice, bob or carol. */
    public String name() {
        return name;
    }

    /** 0, 1 or 2: the peer's place in {@link MeshLab#peers()} and in a {@link PingMatrix}. */
    public int index() {
        return index;
    }

    /** The peer's namespace. */
    public Host host() {
        return host;
    }

    /** The NAT router in front of the peer, or null on the one-switch scenario. */
    public NatRouter nat() {
        return nat;
    }

    /** The WireGuard interface name, unique machine-wide ({@code c4j<pid>m<k><letter>}). */
    public String ifname() {
        return ifname;
    }

    /** The IPv4 tunnel address, without prefix (10.99.0.N). */
    public String tunnelIp() {
        return tunnelIp;
    }

    /** The IPv6 tunnel address, without prefix (fd99::N). */
    public String tunnelIp6() {
        return tunnelIp6;
    }

    /** The interface's public key (base64). */
    public String publicKey() {
        return keys.publicKey();
    }

    MeshKeys keys() {
        return keys;
    }

    /** The daemon's YAML config (mode 0600: it holds the private key). */
    public Path configFile() {
        return configFile;
    }

    /** The daemon's control socket. */
    public Path socket() {
        return socket;
    }

    /** WireGuard's UDP port. */
    public int listenPort() {
        return listenPort;
    }

    /** The wireguard-go process (device kind {@link DeviceKind#WIREGUARD_GO}), or null. */
    public WireguardGo wireguardGo() {
        return wireguardGo;
    }

    void wireguardGo(WireguardGo wg) {
        this.wireguardGo = wg;
    }

    MonitorFeed monitor() {
        return monitor;
    }

    void monitor(MonitorFeed m) {
        this.monitor = m;
    }

    /** The current (last started) daemon process, or null before the first start. */
    public synchronized LabProcess daemon() {
        return runs.isEmpty() ? null : runs.getLast();
    }

    /** Every daemon process started for this peer, oldest first. */
    public synchronized List<LabProcess> daemonRuns() {
        return List.copyOf(runs);
    }

    synchronized void addRun(LabProcess p) {
        runs.add(p);
    }

    /** True when the current daemon process runs. */
    public boolean daemonAlive() {
        LabProcess p = daemon();
        return p != null && p.isAlive();
    }

    /** Everything every daemon run of this peer printed, runs separated by a header line. */
    public String daemonLog() {
        StringBuilder sb = new StringBuilder();
        List<LabProcess> all = daemonRuns();
        for (int i = 0; i < all.size(); i++) {
            LabProcess p = all.get(i);
            sb.append("----- ").append(name).append(" daemon run ").append(i + 1).append(" (pid ").append(p.pid())
                    .append(p.isAlive() ? ", running" : ", exited").append(")\n").append(p.output());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + " (" + ifname + ", " + tunnelIp + ", in " + host.netns() + ")";
    }
}
