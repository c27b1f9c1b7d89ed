package org.cunicu4j.proxy.user;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyStats;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * One peer under {@link UserspaceProxy}: a UDP socket on the loopback ({@code 127.0.0.1},
 * else {@code ::1}) that is the WireGuard peer's endpoint, and two copy loops on platform
 * threads of their own: what WireGuard sends to the socket (only from
 * {@code loopback:<listen port>}; anything else is dropped and counted) goes to the agent's
 * connection, what the connection receives goes from the socket to WireGuard's listen port
 * on the loopback. The batches are preallocated: nothing is allocated per datagram. Errors
 * are counted in {@link ProxyStats#dropped()} and never end a loop; {@link #close()} ends
 * both (closing the socket and the agent's connection, which wakes them).
 *
 * <p>The endpoint is set through the control client on every selected pair (so a peer that
 * roamed away is pointed back); a null pair changes nothing. WireGuard's listen port is not
 * fixed: it is re-read from {@link WireGuardControl#status()} on every selected pair and set
 * by {@link #listenPortChanged} (the owner's watcher), and both loops use the new port from
 * their next batch on. Thread-safe: {@link #selectedPairChanged} and {@link #close()} are
 * serialised, so no endpoint is set once close has begun.
 */
final class UserspacePeerProxy implements PeerProxy {
    private static final System.Logger LOG = System.getLogger(UserspacePeerProxy.class.getName());
    private static final int BATCH = 16;
    private static final int SLOT = 9216;

    private final WireGuardControl control;
    private final Key peer;
    private final PacketConn ice;
    private final UdpPacketConn loop;
    private final InetSocketAddress loopAddress;
    private final byte[] wgRaw;
    /** WireGuard's listen port on the loopback; read once per batch by the loops. */
    private volatile int wgPort;
    private final Consumer<UserspacePeerProxy> onClose;
    private final Thread out;
    private final Thread in;
    private volatile boolean closed;

    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder rxPackets = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    private UserspacePeerProxy(WireGuardControl control, int wgPort, Key peer, PacketConn ice, UdpPacketConn loop,
            Consumer<UserspacePeerProxy> onClose) {
        this.control = control;
        this.peer = peer;
        this.ice = ice;
        this.loop = loop;
        this.loopAddress = loop.localAddress();
        this.wgRaw = loopAddress.getAddress().getAddress();
        this.wgPort = wgPort;
        this.onClose = onClose;
        String tag = peer.toBase64().substring(0, 8);
        this.out = Thread.ofPlatform().daemon().name("userproxy-out " + tag).unstarted(this::outLoop);
        this.in = Thread.ofPlatform().daemon().name("userproxy-in " + tag).unstarted(this::inLoop);
    }

    /** Opens the loopback socket in the calling thread's namespace and starts both loops. */
    static UserspacePeerProxy open(WireGuardControl control, int wgPort, Key peer, PacketConn ice,
            Consumer<UserspacePeerProxy> onClose) throws IOException {
        UdpPacketConn loop;
        try {
            loop = UdpPacketConn.open(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
        } catch (IOException v4) {
            try {
                loop = UdpPacketConn.open(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            } catch (IOException v6) {
                v6.addSuppressed(v4);
                throw new IOException("peer " + peer + " of " + control.name() + ": no loopback socket (127.0.0.1 or ::1) could be opened", v6);
            }
        }
        UserspacePeerProxy p = new UserspacePeerProxy(control, wgPort, peer, ice, loop, onClose);
        p.out.start();
        p.in.start();
        return p;
    }

    /** The loopback socket WireGuard's peer endpoint points at. */
    InetSocketAddress loopbackAddress() {
        return loopAddress;
    }

    @Override
    public ProxyMode mode() {
        return ProxyMode.USER;
    }

    @Override
    public String reason() {
        return UserspaceProxy.REASON;
    }

    /**
     * Points the WireGuard peer at the loopback socket, after re-reading WireGuard's listen
     * port from the control (a device restarted on another port is followed).
     */
    @Override
    public synchronized void selectedPairChanged(IceCandidatePair pair) throws IOException {
        if (closed || pair == null) {
            return;
        }
        listenPortChanged(control.status().listenPort());
        control.setEndpoint(peer, loopAddress);
    }

    /**
     * WireGuard now listens on {@code port}: both loops use it from their next batch on (what
     * comes from the loopback's old port is then dropped as a stranger's). A port outside
     * 1..65535 (0: not listening) is ignored.
     */
    void listenPortChanged(int port) {
        if (port >= 1 && port <= 65535) {
            wgPort = port;
        }
    }

    /** WireGuard's listen port the loops use now. */
    int listenPort() {
        return wgPort;
    }

    /** WireGuard → ICE. */
    private void outLoop() {
        PacketBatch batch = new PacketBatch(BATCH, SLOT);
        while (!closed) {
            int n;
            try {
                n = loop.receive(batch);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                failed(e);
                continue;
            }
            int kept = 0;
            long bytes = 0;
            int port = wgPort;
            for (int i = 0; i < n; i++) {
                if (!fromWireGuard(batch, i, port)) {
                    dropped.increment();
                    continue;
                }
                ByteBuffer b = batch.buffer(i);
                if (kept != i) {
                    int len = b.limit();
                    batch.buffer(kept).clear().put(0, b, 0, len).limit(len);
                }
                bytes += b.remaining();
                kept++;
            }
            if (kept == 0) {
                continue;
            }
            batch.setCount(kept);
            try {
                ice.send(batch);
                txPackets.add(kept);
                txBytes.add(bytes);
            } catch (IOException | RuntimeException e) {
                dropped.add(kept);
                if (closed) {
                    return;
                }
            }
        }
    }

    private boolean fromWireGuard(PacketBatch batch, int slot, int port) {
        return batch.port(slot) == port && batch.addressLength(slot) == wgRaw.length
                && Arrays.equals(batch.addressBytes(slot), 0, wgRaw.length, wgRaw, 0, wgRaw.length);
    }

    /** ICE → WireGuard. */
    private void inLoop() {
        PacketBatch batch = new PacketBatch(BATCH, SLOT);
        while (!closed) {
            int n;
            try {
                n = ice.receive(batch);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                failed(e);
                continue;
            }
            long bytes = 0;
            int port = wgPort;
            for (int i = 0; i < n; i++) {
                batch.setAddress(i, wgRaw, 0, wgRaw.length, port);
                bytes += batch.buffer(i).remaining();
            }
            try {
                loop.send(batch);
                rxPackets.add(n);
                rxBytes.add(bytes);
            } catch (IOException | RuntimeException e) {
                dropped.add(n);
                if (closed) {
                    return;
                }
            }
        }
    }

    private void failed(Exception e) {
        dropped.increment();
        LOG.log(System.Logger.Level.DEBUG, "userspace proxy of {0}: {1}", peer, e);
    }

    @Override
    public ProxyStats stats() {
        return new ProxyStats(txPackets.sum(), txBytes.sum(), rxPackets.sum(), rxBytes.sum(), dropped.sum());
    }

    /** Closes the loopback socket and the agent's connection, waits for both loops. Idempotent. */
    @Override
    public void close() {
        synchronized (this) { // after this block no selectedPairChanged is running or will set an endpoint
            if (closed) {
                return;
            }
            closed = true;
        }
        loop.close();
        ice.close();
        for (Thread t : new Thread[] {out, in}) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        onClose.accept(this);
    }

    @Override
    public String toString() {
        return "UserspacePeerProxy[" + peer + " via " + loopAddress + (closed ? ", closed" : "") + "]";
    }
}
