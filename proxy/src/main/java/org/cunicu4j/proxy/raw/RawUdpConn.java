package org.cunicu4j.proxy.raw;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.rawsock.BpfFilters;
import org.cunicu4j.linux.rawsock.RawSocket;
import org.cunicu4j.linux.socket.SockAddr;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * A {@link PacketConn} over one raw UDP socket of one address family whose BPF filter
 * ({@link BpfFilters#stun}) passes only STUN to WireGuard's listen port: what a
 * {@link org.cunicu4j.ice.mux.UdpMux} reads and writes as if it were a UDP socket bound to
 * {@code <wildcard>:<WireGuard port>}. The kernel's own UDP socket of WireGuard still
 * receives every datagram (a raw socket gets copies), so WireGuard's data never passes here.
 *
 * <h2>Receiving</h2>
 * Each datagram the filter let through is parsed ({@link UdpHeaders}: lengths, protocol,
 * fragments, destination and source port; checksums: see {@link UdpHeaders}); a malformed one is counted by its
 * {@link RawDrop} reason and skipped, never thrown. The payload is copied into the batch's
 * slot with the source address and port. After the first datagram (blocking), more are
 * taken without blocking while the batch has room.
 *
 * <h2>Sending: why these sockets</h2>
 * <ul>
 *   <li><b>IPv4: the same {@code SOCK_RAW/IPPROTO_UDP} socket with {@code IP_HDRINCL}</b>,
 *       and we build the IPv4 header. The UDP checksum covers the source address, which a
 *       socket without {@code IP_HDRINCL} chooses by route only when it sends: writing the
 *       source ourselves (found by a route lookup, {@link SourceRoutes}) makes the checksum
 *       we compute the one that matches the packet, always. An {@code IPPROTO_RAW} socket
 *       would do the same but is a second socket for nothing; a checksum of 0 ("none",
 *       legal in IPv4) would give up on the receiver's integrity check.</li>
 *   <li><b>IPv6: a {@code SOCK_RAW/IPPROTO_UDP} socket with {@code IPV6_CHECKSUM} at offset
 *       6</b>: IPv6 raw sockets have no header-include option, the kernel writes the IPv6
 *       header and chooses the source address (routing, source address selection of RFC 6724,
 *       privacy addresses) as it sends, so the one place that knows the address the
 *       mandatory checksum must cover is the kernel: {@code IPV6_CHECKSUM} lets it compute the
 *       checksum over exactly that address. We write the UDP header with a zero checksum.</li>
 * </ul>
 * The source port is always WireGuard's listen port, so a NAT maps our STUN through the same
 * mapping as WireGuard's data, and the peer answers to the port WireGuard listens on. The
 * socket carries WireGuard's fwmark when it has one, so policy routing treats both alike.
 *
 * <h2>Self-test</h2>
 * {@link #selfTest} sends a STUN Binding request to WireGuard's port on a local address and
 * waits for it to come back through the filter; the receive path consumes it (it never
 * reaches the mux).
 *
 * <p>Ownership: owns the raw socket. Threading: one thread receives (the mux's reader), any
 * number send (serialised on one preallocated buffer); {@link #setListenPort} and
 * {@link #close()} from any thread. Allocation: none per datagram received or sent (an IPv4
 * send costs a route lookup, three system calls: STUN only, the control plane).
 */
final class RawUdpConn implements PacketConn {
    private static final System.Logger LOG = System.getLogger(RawUdpConn.class.getName());
    private static final int BUFFER = 65535;
    /** In a self-test's reason when the datagram was sent but never came back. */
    static final String DID_NOT_ARRIVE = "did not reach";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RawSocket socket;
    private final int family;
    private final String owner;
    private final SourceRoutes routes;
    private volatile int port;
    /** The port before the last {@link #setListenPort} (0: none): what is still queued for it is stale, not malformed. */
    private volatile int previousPort;
    private volatile InetSocketAddress local;

    private final ByteBuffer recv = ByteBuffer.allocateDirect(BUFFER);
    private final byte[] recvSource = new byte[16];
    private final UdpHeaders.Parsed parsed = new UdpHeaders.Parsed();

    private final Object sendLock = new Object();
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
    private final byte[] dst4 = new byte[4];
    private final byte[] src4 = new byte[4];
    private final byte[] dst16 = new byte[16];

    private final LongAdder received = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder[] drops = new LongAdder[RawDrop.values().length];

    private volatile byte[] probeTxid;
    private volatile CompletableFuture<Void> probeArrived;

    private RawUdpConn(RawSocket socket, SourceRoutes routes, int port, String owner) {
        this.socket = socket;
        this.family = socket.family();
        this.routes = routes;
        this.owner = owner;
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
        setPortFields(port);
    }

    /**
     * Opens the raw socket of {@code family} with the STUN filter for {@code port} (race-free:
     * nothing unfiltered is ever read), in the calling thread's network namespace.
     *
     * @param fwmark WireGuard's fwmark, set on the socket when non-zero (failure only logged)
     * @param owner how messages name the user, e.g. {@code "RawSocketProxy of wg0"}
     * @throws org.cunicu4j.linux.LinuxException EPERM with a CAP_NET_RAW hint, EAFNOSUPPORT without the family
     */
    public static RawUdpConn open(int family, int port, int fwmark, String owner) throws IOException {
        checkPort(port);
        RawSocket s = RawSocket.open(family, BpfFilters.stun(port, family));
        SourceRoutes routes = null;
        try {
            if (family == AF_INET) {
                s.setHeaderIncluded(true);
                routes = SourceRoutes.open(fwmark);
            }
            if (fwmark != 0) {
                try {
                    s.setMark(fwmark);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: STUN is sent without WireGuard''s fwmark 0x{1}: {2}",
                            owner, Integer.toHexString(fwmark), e.getMessage());
                }
            }
            return new RawUdpConn(s, routes, port, owner);
        } catch (IOException | RuntimeException e) {
            s.close();
            if (routes != null) {
                routes.close();
            }
            throw e;
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the WireGuard listen port must be 1..65535, got " + port);
        }
    }

    private void setPortFields(int p) {
        port = p;
        try {
            local = new InetSocketAddress(InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]), p);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code AF_INET} or {@code AF_INET6}. */
    public int family() {
        return family;
    }

    /** WireGuard's listen port: the filter's destination port and the source port of what is sent. */
    public int listenPort() {
        return port;
    }

    /**
     * Re-attaches the filter for {@code newPort} (atomically replacing the old one) and sends
     * from it from now on. The receiver accepts the new port before the filter passes it, so
     * nothing sent to the new port is lost in between; datagrams still queued for the old port
     * are dropped as {@link RawDrop#STALE_PORT} (not malformed: the device moved). When the
     * filter cannot be replaced, the old port stays in force.
     *
     * @throws java.nio.channels.ClosedChannelException once closed
     */
    public void setListenPort(int newPort) throws IOException {
        checkPort(newPort);
        synchronized (sendLock) {
            int oldPort = port;
            if (newPort == oldPort) {
                return;
            }
            int oldPrevious = previousPort;
            previousPort = oldPort; // before port: a reader never sees the new port with the old one unknown
            setPortFields(newPort);
            try {
                socket.attach(BpfFilters.stun(newPort, family));
            } catch (IOException | RuntimeException | Error e) {
                setPortFields(oldPort);
                previousPort = oldPrevious;
                throw e;
            }
        }
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        int n = 0;
        int capacity = batch.capacity();
        while (n < capacity) {
            recv.clear();
            int len;
            if (n == 0) {
                len = socket.receive(recv, recvSource);
            } else {
                len = socket.tryReceive(recv, recvSource);
                if (len < 0) {
                    break;
                }
            }
            received.increment();
            n += accept(recv, len, recvSource, batch, n);
        }
        batch.setCount(n);
        return n;
    }

    /**
     * Parses the datagram of {@code len} bytes at the start of {@code packet} (from
     * {@code source}, the AF_INET6 socket's view) and, when it is well-formed and no
     * self-test probe, copies its payload and source into {@code batch}'s slot {@code n}.
     *
     * @return 1 when delivered into the slot, 0 when dropped (counted) or consumed as the probe
     */
    int accept(ByteBuffer packet, int len, byte[] source, PacketBatch batch, int n) {
        int p = port;
        RawDrop why = family == AF_INET
                ? UdpHeaders.parseIpv4(packet, 0, len, p, parsed)
                : UdpHeaders.parseUdp6(packet, 0, len, source, p, parsed);
        if (why == RawDrop.WRONG_PORT && parsed.destinationPort == previousPort) {
            why = RawDrop.STALE_PORT;
        }
        if (why != null) {
            drops[why.ordinal()].increment();
            return 0;
        }
        if (isProbe(packet)) {
            return 0;
        }
        ByteBuffer slot = batch.buffer(n);
        if (parsed.payloadLength > slot.capacity()) {
            drops[RawDrop.TOO_LONG_FOR_SLOT.ordinal()].increment();
            return 0;
        }
        slot.clear();
        slot.put(0, packet, parsed.payloadOffset, parsed.payloadLength);
        slot.limit(parsed.payloadLength);
        batch.setAddress(n, parsed.source, 0, parsed.sourceLength, parsed.sourcePort);
        delivered.increment();
        return 1;
    }

    private boolean isProbe(ByteBuffer packet) {
        byte[] t = probeTxid;
        if (t == null || parsed.payloadLength < 20) {
            return false;
        }
        int at = parsed.payloadOffset + 8;
        for (int i = 0; i < t.length; i++) {
            if (packet.get(at + i) != t[i]) {
                return false;
            }
        }
        CompletableFuture<Void> f = probeArrived;
        if (f != null) {
            f.complete(null);
        }
        return true;
    }

    /** Counts a datagram the mux found not to be STUN (its foreign handler): WireGuard has its own copy. */
    void countNotStun() {
        drops[RawDrop.NOT_STUN.ordinal()].increment();
    }

    /** Sends every slot; a datagram the kernel refuses or that cannot be built is counted and skipped. */
    @Override
    public int send(PacketBatch batch) throws IOException {
        int count = batch.count();
        synchronized (sendLock) {
            for (int i = 0; i < count; i++) {
                int rc = sendOne(batch, i);
                if (rc >= 0) {
                    sent.increment();
                } else {
                    drops[(rc == NO_ROUTE ? RawDrop.NO_ROUTE : rc == WRONG_FAMILY ? RawDrop.WRONG_FAMILY
                            : RawDrop.SEND_REFUSED).ordinal()].increment();
                }
            }
        }
        return count;
    }

    private static final int NO_ROUTE = Integer.MIN_VALUE;
    private static final int WRONG_FAMILY = Integer.MIN_VALUE + 1;

    /** Under {@link #sendLock}: the bytes sent, -errno, or {@link #NO_ROUTE}/{@link #WRONG_FAMILY}. */
    private int sendOne(PacketBatch batch, int slot) throws IOException {
        int built = build(batch, slot);
        if (built < 0) {
            return built;
        }
        return socket.send(out, family == AF_INET ? dst4 : dst16);
    }

    /**
     * Under {@link #sendLock}: builds slot {@code slot} of {@code batch} into the send buffer
     * (IPv4: header with the route's source address; IPv6: UDP header only) and its destination
     * into {@code dst4}/{@code dst16}.
     *
     * @return the length built, or {@link #NO_ROUTE}, {@link #WRONG_FAMILY}, {@code -EMSGSIZE}
     */
    int build(PacketBatch batch, int slot) {
        int alen = batch.addressLength(slot);
        byte[] addr = batch.addressBytes(slot);
        ByteBuffer payload = batch.buffer(slot);
        int dport = batch.port(slot);
        try {
            if (family == AF_INET) {
                if (alen != 4) {
                    return WRONG_FAMILY;
                }
                System.arraycopy(addr, 0, dst4, 0, 4);
                if (!routes.source(dst4, src4)) {
                    return NO_ROUTE;
                }
                return UdpHeaders.writeIpv4(out, src4, dst4, port, dport, payload, payload.position(), payload.remaining());
            }
            if (alen != 16) {
                return WRONG_FAMILY;
            }
            System.arraycopy(addr, 0, dst16, 0, 16);
            return UdpHeaders.writeUdp6(out, null, null, port, dport, payload, payload.position(), payload.remaining());
        } catch (IllegalArgumentException tooBig) {
            return -Errno.EMSGSIZE;
        }
    }

    /** The send buffer as {@link #build} left it (tests). */
    ByteBuffer sendBuffer() {
        return out;
    }

    /**
     * Sends a STUN Binding request from WireGuard's port to WireGuard's port on {@code self}
     * (a local address) and waits up to {@code timeout} for it to pass the filter and arrive
     * here. Needs a running receiver (the mux's reader).
     *
     * @return null when it arrived, else why not (a sentence fragment for the user)
     */
    public String selfTest(InetAddress self, Duration timeout) throws IOException {
        byte[] txid = new byte[12];
        RANDOM.nextBytes(txid);
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        probeArrived = arrived;
        probeTxid = txid;
        try {
            PacketBatch b = new PacketBatch(1, 64);
            ByteBuffer m = b.buffer(0).clear();
            m.putShort((short) 0x0001).putShort((short) 0).putInt(BpfFilters.STUN_MAGIC_COOKIE).put(txid).flip();
            b.setAddress(0, new InetSocketAddress(self, port));
            b.setCount(1);
            int rc;
            synchronized (sendLock) {
                rc = sendOne(b, 0);
            }
            byte[] raw = self.getAddress();
            String to = SockAddr.formatAddress(raw, 0, raw.length) + " port " + port;
            if (rc == NO_ROUTE) {
                return "no route to " + SockAddr.formatAddress(raw, 0, raw.length) + " for the self-test";
            }
            if (rc < 0) {
                return "the self-test STUN datagram to " + to + " was refused: " + Errno.name(-rc) + " ("
                        + Errno.description(-rc) + ")";
            }
            sent.increment();
            try {
                arrived.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return null;
            } catch (TimeoutException e) {
                return "a STUN datagram sent to " + to + " " + DID_NOT_ARRIVE + " the " + familyName(family)
                        + " raw socket within " + timeout.toMillis() + " ms (a firewall rule dropping it, or a kernel"
                        + " without raw delivery?)";
            } catch (ExecutionException e) {
                return "the self-test failed: " + e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "the self-test was interrupted";
            }
        } finally {
            probeTxid = null;
            probeArrived = null;
        }
    }

    /** "IPv4" or "IPv6", as messages for users say it. */
    static String familyName(int family) {
        return family == AF_INET ? "IPv4" : "IPv6";
    }

    /** Counters now. */
    public RawConnStats stats() {
        long[] d = new long[drops.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = drops[i].sum();
        }
        return new RawConnStats(received.sum(), delivered.sum(), sent.sum(), d);
    }

    /** {@code 0.0.0.0:<port>} or {@code [::]:<port>}: where the mux's host candidates are. */
    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public int preferredBatchSize() {
        return 8;
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    /** Closes the raw socket (waking the receiver) and the route lookup socket. Idempotent. */
    @Override
    public void close() {
        socket.close();
        if (routes != null) {
            routes.close();
        }
    }

    @Override
    public String toString() {
        return "RawUdpConn[" + owner + ", " + familyName(family) + " port " + port + "]";
    }
}
