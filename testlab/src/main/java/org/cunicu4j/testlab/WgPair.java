package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two lab hosts, {@code a} and {@code b}, joined by a veth (the underlay) and by a
 * WireGuard tunnel between two userspace WireGuard implementations, one in each host, both
 * configured only with the stock {@code wg} tool through their UAPI sockets and with
 * {@code ip} for the interface addresses.
 *
 * <p>Which implementation runs on each side is a {@link Starter}: {@link #WIREGUARD_GO}, or
 * one the caller provides (the project's own device, in-JVM or as a process). Addresses:
 * underlay {@value #UNDERLAY_A}/{@value #UNDERLAY_B} (/24) and {@code fd00:200::1/2} (/64);
 * tunnel {@value #TUNNEL_A}/{@value #TUNNEL_B} (/24) and {@code fd10::1/2} (/64), MTU
 * {@value #MTU}. Each side's peer has the other's tunnel /32 and /128 as allowed IPs and
 * its underlay IPv4 address and port as endpoint. Everything is owned by the lab and goes
 * with it. Not thread-safe: build and reconfigure from one thread.
 */
public final class WgPair {
    public static final String UNDERLAY_A = "10.200.0.1";
    public static final String UNDERLAY_B = "10.200.0.2";
    public static final String TUNNEL_A = "10.10.0.1";
    public static final String TUNNEL_B = "10.10.0.2";
    public static final String TUNNEL6_A = "fd10::1";
    public static final String TUNNEL6_B = "fd10::2";
    public static final int PORT_A = 51820;
    public static final int PORT_B = 51821;
    public static final int MTU = 1420;

    private static final Pattern ENDPOINT = Pattern.compile("endpoint: (\\S+)");

    /** Starts a WireGuard implementation in a host on a machine-unique interface name. */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts it and returns once its UAPI socket {@code /var/run/wireguard/<ifname>.sock}
         * accepts {@code wg}; the returned handle stops it (the lab also stops what it started).
         */
        AutoCloseable start(Host host, String ifname) throws Exception;
    }

    /** wireguard-go in the foreground (testlab's {@link WireguardGo}). */
    public static final Starter WIREGUARD_GO = WireguardGo::start;

    /** One side of the pair. */
    public record Side(Host host, String ifname, AutoCloseable handle, String publicKey, Path privateKeyFile,
            String underlayIp, int listenPort, String tunnelIp, String tunnelIp6) {

        /** Runs {@code wg args...} in this side's host; throws if it exits non-zero. */
        public Exec.Result wg(String... args) {
            return WireguardGo.wg(host, args);
        }

        /** The endpoint {@code wg show} reports for this side's only peer, or "" when it has none. */
        public String peerEndpoint() {
            Matcher m = ENDPOINT.matcher(wg("show", ifname).stdout());
            return m.find() ? m.group(1) : "";
        }
    }

    private final Lab lab;
    private final Link underlay;
    private final Side a;
    private final Side b;

    private WgPair(Lab lab, Link underlay, Side a, Side b) {
        this.lab = lab;
        this.underlay = underlay;
        this.a = a;
        this.b = b;
    }

    /**
     * Builds hosts {@code wga} and {@code wgb} in {@code lab}, the veth between them, starts
     * {@code starterA} in the one and {@code starterB} in the other, and configures both
     * with {@code wg set} (private key from a 0600 file, listen port, the peer with allowed
     * IPs and endpoint) and the tunnel addresses with {@code ip}. Returns when both
     * interfaces are up; the first handshake happens with the first packet.
     */
    public static WgPair open(Lab lab, Starter starterA, Starter starterB) {
        Host ha = lab.host("wga");
        Host hb = lab.host("wgb");
        Link link = lab.link(ha, UNDERLAY_A + "/24", hb, UNDERLAY_B + "/24");
        ha.addAddress(link.ifA(), "fd00:200::1/64");
        hb.addAddress(link.ifB(), "fd00:200::2/64");
        Side sa = start(lab, ha, starterA, UNDERLAY_A, PORT_A, TUNNEL_A, TUNNEL6_A);
        Side sb = start(lab, hb, starterB, UNDERLAY_B, PORT_B, TUNNEL_B, TUNNEL6_B);
        configure(sa, sb);
        configure(sb, sa);
        return new WgPair(lab, link, sa, sb);
    }

    private static Side start(Lab lab, Host host, Starter starter, String underlayIp, int port, String ip4, String ip6) {
        String ifname = WireguardGo.newInterfaceName();
        AutoCloseable handle;
        try {
            handle = starter.start(host, ifname);
        } catch (LabException e) {
            throw e;
        } catch (Exception e) {
            throw new LabException("cannot start WireGuard " + ifname + " in " + host + ": " + e, e);
        }
        lab.onClose(() -> {
            try {
                handle.close();
            } catch (Exception e) {
                // best effort: the namespace goes anyway
            }
        });
        String priv = host.run("wg", "genkey").stdout().strip();
        String pub = Exec.run(Exec.DEFAULT_TIMEOUT, host.inNetns("wg", "pubkey"), Map.of(), priv + "\n")
                .orThrow().stdout().strip();
        Path keyFile = lab.workDir().resolve(ifname + ".key");
        try {
            Files.writeString(keyFile, priv + "\n");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new LabException("cannot write " + keyFile, e);
        }
        return new Side(host, ifname, handle, pub, keyFile, underlayIp, port, ip4, ip6);
    }

    private static void configure(Side self, Side peer) {
        self.wg("set", self.ifname, "private-key", self.privateKeyFile.toString(),
                "listen-port", Integer.toString(self.listenPort),
                "peer", peer.publicKey, "allowed-ips", peer.tunnelIp + "/32," + peer.tunnelIp6 + "/128",
                "endpoint", peer.underlayIp + ":" + peer.listenPort);
        Host h = self.host;
        h.run("ip", "addr", "add", self.tunnelIp + "/24", "dev", self.ifname);
        h.run("ip", "addr", "add", self.tunnelIp6 + "/64", "dev", self.ifname, "nodad");
        h.run("ip", "link", "set", self.ifname, "mtu", Integer.toString(MTU), "up");
    }

    public Lab lab() {
        return lab;
    }

    /** The veth between the hosts: {@code ifA} in a's host, {@code ifB} in b's. */
    public Link underlay() {
        return underlay;
    }

    public Side a() {
        return a;
    }

    public Side b() {
        return b;
    }

    /**
     * Moves b's underlay IPv4 address to {@code newIp} (same /24): adds the new address,
     * removes the old one, then sets b's peer endpoint again to the value it had. The last
     * step is for wireguard-go, which remembers the source address it last sent from (a
     * "sticky" source) and keeps failing to send from the removed one; setting the endpoint
     * clears it, and changes nothing else. a's endpoint for b changes only once a
     * authenticates a packet from the new address (roaming).
     */
    public void moveB(String newIp) {
        Host h = b.host;
        // without this, deleting the primary address would take the new (secondary) one with it
        h.sysctl("net.ipv4.conf." + underlay.ifB() + ".promote_secondaries", "1");
        h.run("ip", "addr", "add", newIp + "/24", "dev", underlay.ifB());
        h.run("ip", "addr", "del", b.underlayIp + "/24", "dev", underlay.ifB());
        b.wg("set", b.ifname, "peer", a.publicKey, "endpoint", a.underlayIp + ":" + a.listenPort);
    }

    /** Changes b's listen port with {@code wg set}: b's next datagrams come from a new port. */
    public void rebindB(int port) {
        b.wg("set", b.ifname, "listen-port", Integer.toString(port));
    }

    /** Pings {@code dst} from {@code from} until one reply comes, within {@code timeout}. */
    public static void awaitPing(Host from, String dst, Duration timeout) {
        Waiter.until("ping " + dst + " from " + from + " answered", timeout,
                () -> from.exec("ping", "-c", "1", "-W", "1", dst).ok());
    }

    /** The round-trip times in ms that {@code ping -c count -i interval dst} in {@code from} printed. */
    public static List<Double> pingTimes(Host from, String dst, int count, String interval) {
        String out = from.run(Duration.ofSeconds(30 + count / 10), "ping", "-c", Integer.toString(count),
                "-i", interval, "-W", "1", dst).stdout();
        return Pattern.compile("time=([0-9.]+) ms").matcher(out).results()
                .map(r -> Double.parseDouble(r.group(1))).toList();
    }
}
