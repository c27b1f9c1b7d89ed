package org.cunicu4j.proxy.raw;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.IceSockets;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxies;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.proxy.SharedPortGatherers;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * Port sharing for an external WireGuard device by raw sockets ({@link ProxyMode#RAW}): per
 * address family one raw UDP socket whose classic BPF filter passes only STUN (the magic
 * cookie at payload bytes 4..7) to WireGuard's listen port, a {@link RawUdpConn} over it
 * (we parse and build the IP/UDP headers) and a {@link UdpMux} over that, shared by every
 * peer's agent. ICE's host candidates are therefore on WireGuard's own port, server-reflexive
 * ones are learnt by STUN sent from that port (so the NAT mapping found is WireGuard's), and
 * relay candidates come from allocations on ordinary sockets of their own
 * ({@link SharedPortGatherers}). When a direct pair is selected, the WireGuard peer's endpoint
 * is set to the remote candidate and the kernel carries the data: nothing is copied. A relay
 * pair falls back to the user-space proxy ({@link RelayFallback}).
 *
 * <p>WireGuard's own UDP socket still receives everything sent to its port (a raw socket
 * gets copies, it takes nothing away): STUN arriving there is dropped by WireGuard as
 * invalid, and whatever passes the filter but is not STUN (a WireGuard message whose index
 * happens to equal the cookie) is counted and dropped here rather than handed on twice.
 *
 * <p>Prerequisites, checked by {@link #open}: raw sockets (CAP_NET_RAW) and a self-test per
 * family (a STUN datagram from WireGuard's port to WireGuard's port on a local address must
 * come back through the filter within {@link #SELF_TEST_TIMEOUT}); a family failing either
 * is left out, and without any the open fails with {@link ProxyUnavailableException} saying
 * why. Nothing is installed outside the process (no rules, no tables): a crashed run leaves
 * nothing behind, and a failed open has closed what it opened.
 *
 * <p>Ownership: owns the raw sockets, their muxes and reader threads, and the peers'
 * fallbacks; borrows the control. Thread-safe: {@link #attach}, {@link #listenPortChanged}
 * and {@link #close()} are serialised where they meet (a peer attached while closing is closed).
 */
public final class RawSocketProxy implements ExternalPortSharing {
    private static final System.Logger LOG = System.getLogger(RawSocketProxy.class.getName());
    /** Why this mode serves an external device; shown in status. */
    public static final String REASON = "raw sockets with a STUN-only BPF filter put ICE on WireGuard's own port; "
            + "WireGuard's data stays in the kernel";
    /** How long the self-test waits for its datagram on each family. */
    public static final Duration SELF_TEST_TIMEOUT = Duration.ofSeconds(1);

    private final WireGuardControl control;
    private final String owner;
    private final List<RawUdpConn> conns;
    private final List<UdpMux> muxes;
    private final List<String> skipped;
    private final PeerProxies<RawPeerProxy> peers;
    private volatile int listenPort;

    private RawSocketProxy(WireGuardControl control, String owner, int listenPort, List<RawUdpConn> conns,
            List<UdpMux> muxes, List<String> skipped) {
        this.control = control;
        this.owner = owner;
        this.listenPort = listenPort;
        this.conns = List.copyOf(conns);
        this.muxes = List.copyOf(muxes);
        this.skipped = List.copyOf(skipped);
        this.peers = new PeerProxies<>(owner);
    }

    /**
     * Opens the raw sockets, their muxes and runs the self-test, in the calling thread's
     * network namespace (the device's).
     *
     * @param control the external device (borrowed; its fwmark, if any, marks our STUN too)
     * @param listenPort the device's UDP listen port
     * @throws ProxyUnavailableException without CAP_NET_RAW, or when no family passes the self-test (why)
     */
    public static RawSocketProxy open(WireGuardControl control, int listenPort) throws IOException {
        return open(control, listenPort, SELF_TEST_TIMEOUT);
    }

    /** As {@link #open(WireGuardControl, int)} with another self-test deadline (tests). */
    static RawSocketProxy open(WireGuardControl control, int listenPort, Duration selfTestTimeout) throws IOException {
        Objects.requireNonNull(control, "control");
        IceSockets.checkListenPort(control, listenPort);
        String owner = "RawSocketProxy of " + control.name();
        int fwmark = fwmark(control, owner);
        List<RawUdpConn> conns = new ArrayList<>(2);
        List<UdpMux> muxes = new ArrayList<>(2);
        List<String> reasons = new ArrayList<>(2);
        try {
            for (int family : new int[] {AF_INET, AF_INET6}) {
                String fam = RawUdpConn.familyName(family);
                RawUdpConn conn;
                try {
                    conn = RawUdpConn.open(family, listenPort, fwmark, owner);
                } catch (LinuxException e) {
                    if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                        throw new ProxyUnavailableException(ProxyMode.RAW, "no raw socket could be opened ("
                                + e.getMessage() + "): run the daemon as root or grant it CAP_NET_RAW", e);
                    }
                    reasons.add(fam + ": " + (e.errno() == Errno.EAFNOSUPPORT ? "not supported here" : e.getMessage()));
                    continue;
                }
                UdpMux mux;
                try {
                    mux = UdpMux.builder(conn).foreign((b, s) -> conn.countNotStun()).serverReflexive().start();
                } catch (RuntimeException | Error e) { // no mux owns the conn yet
                    conn.close();
                    throw e;
                }
                String why;
                try {
                    why = selfTest(conn, family, selfTestTimeout);
                } catch (IOException | RuntimeException | Error e) {
                    mux.close();
                    throw e;
                }
                if (why != null) {
                    mux.close();
                    reasons.add(fam + ": " + why);
                    continue;
                }
                conns.add(conn);
                muxes.add(mux);
            }
        } catch (IOException | RuntimeException | Error e) {
            muxes.forEach(UdpMux::close);
            throw e;
        }
        if (muxes.isEmpty()) {
            throw new ProxyUnavailableException(ProxyMode.RAW, "the raw-socket self-test failed on every family: "
                    + String.join("; ", reasons));
        }
        if (!reasons.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "{0}: serving {1} only; {2}", owner,
                    conns.stream().map(c -> RawUdpConn.familyName(c.family())).toList(), String.join("; ", reasons));
        }
        return new RawSocketProxy(control, owner, listenPort, conns, muxes, reasons);
    }

    private static int fwmark(WireGuardControl control, String owner) {
        try {
            return control.status().fwmark();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: no fwmark read ({1}); STUN goes out unmarked", owner, e.getMessage());
            return 0;
        }
    }

    /** The loopback first; when that fails without an answer of the kernel's, one other local address. */
    private static String selfTest(RawUdpConn conn, int family, Duration timeout) throws IOException {
        InetAddress loopback = InetAddress.getByAddress(family == AF_INET ? new byte[] {127, 0, 0, 1} : loopbackV6());
        String why = conn.selfTest(loopback, timeout);
        if (why == null || why.contains(RawUdpConn.DID_NOT_ARRIVE)) {
            return why;
        }
        InetAddress other = localAddress(family);
        if (other == null) {
            return why;
        }
        String second = conn.selfTest(other, timeout);
        return second == null ? null : why + "; " + second;
    }

    private static byte[] loopbackV6() {
        byte[] a = new byte[16];
        a[15] = 1;
        return a;
    }

    private static InetAddress localAddress(int family) {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    boolean fits = family == AF_INET ? a instanceof Inet4Address : a instanceof Inet6Address;
                    if (fits && !a.isLinkLocalAddress()) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            // no second address to try
        }
        return null;
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.RAW;
    }

    @Override
    public String reason() {
        return REASON;
    }

    /** Families left out at open and why (empty when both serve). */
    public List<String> skippedFamilies() {
        return skipped;
    }

    /** The raw connections' counters, one per family served (IPv4 first). */
    public List<RawConnStats> connStats() {
        return conns.stream().map(RawUdpConn::stats).toList();
    }

    /** The raw connections (IPv4 first), owned by their muxes; for tests. */
    List<RawUdpConn> conns() {
        return conns;
    }

    /** The muxes over the raw connections (IPv4 first); borrowed. */
    List<UdpMux> muxes() {
        return muxes;
    }

    /** Host candidates on WireGuard's port via the raw muxes, srflx from them, relays on sockets of their own. */
    @Override
    public List<Gatherer> gatherers(GatherSettings settings) {
        peers.requireOpen();
        return SharedPortGatherers.over(muxes, settings); // skips the families the settings exclude
    }

    /**
     * Follows {@code agent}'s selected pair for WireGuard peer {@code peer}; opens the peer's
     * relay fallback (a loopback socket, in the calling thread's namespace) now. The proxy takes
     * the agent's data connection: closing it closes it.
     */
    @Override
    public PeerProxy attach(Key peer, IceAgent agent) throws IOException {
        peers.requireOpen();
        RelayFallback fallback = RelayFallback.open(control, listenPort, peer, agent);
        RawPeerProxy p = new RawPeerProxy(control, peer, fallback, peers::remove);
        return peers.add(p, peer, q -> q.listenPortChanged(listenPort));
    }

    /**
     * Moves the peers' fallbacks to {@code port}, then re-attaches every family's filter for
     * it and sends STUN from it. New agents' host candidates are on the new port; agents
     * gathered before keep candidates on the old one (restart them). Every family is tried
     * even when one fails: the fallbacks and {@link #listenPort()} follow the device
     * regardless, a family that failed stays on the old port. Once closed (the daemon's
     * watcher may race {@link #close()}), nothing is done.
     *
     * @throws UncheckedIOException when a family's filter could not be replaced: the first
     *     failure, naming the families that failed and those that followed, the others suppressed
     */
    @Override
    public void listenPortChanged(int port) {
        IceSockets.checkListenPort(control, port);
        synchronized (peers) { // close() marks peers closed under this monitor before closing the conns
            if (peers.closed()) {
                return;
            }
            listenPort = port;
            peers.forEach(p -> p.listenPortChanged(port));
            List<String> failed = new ArrayList<>(2);
            List<String> followed = new ArrayList<>(2);
            List<Exception> causes = new ArrayList<>(2);
            for (RawUdpConn c : conns) {
                String fam = RawUdpConn.familyName(c.family());
                try {
                    c.setListenPort(port);
                    followed.add(fam);
                } catch (IOException | RuntimeException e) {
                    failed.add(fam);
                    causes.add(e);
                }
            }
            if (!causes.isEmpty()) {
                Exception first = causes.getFirst();
                UncheckedIOException e = new UncheckedIOException(owner + ": the BPF filter of " + String.join(" and ", failed)
                        + " could not follow port " + port + " (" + describe(first) + ")"
                        + (followed.isEmpty() ? "" : "; " + String.join(" and ", followed) + " did"),
                        first instanceof IOException io ? io : new IOException(first));
                causes.subList(1, causes.size()).forEach(e::addSuppressed);
                throw e;
            }
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    @Override
    public int listenPort() {
        return listenPort;
    }

    /** Closes the peers' proxies still open, then the muxes and raw sockets. Idempotent. */
    @Override
    public void close() {
        if (!peers.close()) {
            return;
        }
        for (UdpMux m : muxes) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "RawSocketProxy[" + control.name() + " port " + listenPort + ", "
                + conns.stream().map(c -> RawUdpConn.familyName(c.family())).toList() + "]";
    }
}
