package org.cunicu4j.wireguard.device;

import static org.cunicu4j.wireguard.noise.Messages.*;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.allowedips.AllowedIps;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.Endpoint;
import org.cunicu4j.wireguard.conn.UdpBind;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.noise.CookieChecker;
import org.cunicu4j.wireguard.noise.Handshake;
import org.cunicu4j.wireguard.noise.Keypair;
import org.cunicu4j.wireguard.noise.StaticIdentity;
import org.cunicu4j.wireguard.ratelimit.RateLimiter;
import org.cunicu4j.wireguard.replay.ReplayWindow;
import org.cunicu4j.wireguard.tun.LinuxTun;
import org.cunicu4j.wireguard.tun.Tun;
import org.cunicu4j.wireguard.tun.VnetTun;

/**
 * A userspace WireGuard device: a {@link Tun} on one side, a {@link Bind} on the other, and
 * the protocol between them. It is its own in-process {@link WireGuardControl}:
 * {@link #status()} and {@link #apply} read and change it (the UAPI server serves exactly
 * these).
 *
 * <p>Data path (wireguard-go's {@code send.go}/{@code receive.go}): one TUN reader thread
 * routes each packet by destination through the allowed IPs, seals it with the peer's
 * current keypair and sends the peer's packets to its endpoint in batches; one thread per
 * receive function of the Bind classifies each datagram, opens transport messages, checks
 * the replay window and the inner source address against the peer's allowed IPs and writes
 * the packet to the TUN. Handshake messages go to a bounded queue served by one handshake
 * thread (dropped when full; cookies demanded when it fills past the load threshold). A
 * ticker runs the per-peer timers. Malformed input is counted ({@link #counters()}) and
 * dropped; no loop stops for it.
 *
 * <p>Threading: all public methods are thread-safe. The device's threads are started by the
 * thread that makes it, so a device made inside a network namespace ({@code NetNs.call})
 * keeps working there, a Bind reopened for a new listen port included. Ownership: the
 * device owns its Tun and Bind and closes both in {@link #close()}.
 */
public final class Device implements WireGuardControl {
    private static final System.Logger LOG = System.getLogger(Device.class.getName());
    private static final int HANDSHAKE_QUEUE = 1024;
    private static final int TUN_BATCH = 64;
    private static final DropReason[] REASONS = DropReason.values();

    final Tun tun;
    final Bind bind;
    final DeviceOptions options;
    final Clock clock;
    final Timing timing;
    private final String name;

    private final Object control = new Object();
    private final Map<Key, Peer> peers = new ConcurrentHashMap<>();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final IndexTable indices = new IndexTable();
    private final RateLimiter rateLimiter = new RateLimiter();
    private final BlockingQueue<HandshakeJob> handshakeQueue = new ArrayBlockingQueue<>(HANDSHAKE_QUEUE);

    private volatile StaticIdentity identity;
    private volatile CookieChecker cookieChecker;
    private volatile Key privateKey;
    private volatile int listenPort;
    private volatile int fwmark;
    private volatile boolean closed;

    private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);
    private final LongAdder initiationsSent = new LongAdder();
    private final LongAdder responsesSent = new LongAdder();
    private final LongAdder cookieRepliesSent = new LongAdder();
    private final LongAdder handshakesCompleted = new LongAdder();
    private final LongAdder transportReceived = new LongAdder();
    private final LongAdder transportSent = new LongAdder();

    private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final SendContext timerContext;
    /** Started by the creating thread, so it runs in the device's network namespace (see {@link #reopenBindLocked}). */
    private final java.util.concurrent.ThreadPoolExecutor controlThread;
    private final SendContext handshakeContext;
    private AutoCloseable ticker;

    /** A handshake message waiting for the handshake thread (copied out of the receive batch). */
    private record HandshakeJob(byte[] msg, Endpoint source, byte[] sourceBytes) {}

    private Device(Tun tun, Bind bind, DeviceOptions options) {
        this.tun = tun;
        this.bind = bind;
        this.options = options;
        this.clock = options.clock();
        this.timing = options.timing();
        this.name = tun.name();
        this.timerContext = new SendContext(8, options.mtu());
        this.handshakeContext = new SendContext(8, options.mtu());
        if (options.privateKey() != null) {
            setPrivateKeyLocked(options.privateKey());
        }
        this.fwmark = options.fwmark();
        this.controlThread = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().name("wg-" + name + "-control").daemon().unstarted(r));
        this.controlThread.prestartAllCoreThreads();
    }

    /**
     * Creates the TUN interface {@code ifname} (needs CAP_NET_ADMIN) in the calling thread's
     * namespace and opens the default UDP Bind on the options' listen port.
     */
    public static Device create(String ifname, DeviceOptions options) throws IOException {
        Tun tun = options.tunOffload() ? VnetTun.create(ifname, options.mtu()) : LinuxTun.create(ifname, options.mtu());
        try {
            return open(tun, defaultBind(), options);
        } catch (IOException | RuntimeException e) {
            tun.close();
            throw e;
        }
    }

    private static Bind defaultBind() {
        return new UdpBind();
    }

    /**
     * A device over {@code tun} and {@code bind} (tests, and Binds that share their sockets):
     * opens the Bind on the options' listen port and starts the threads. Takes ownership of both.
     */
    public static Device open(Tun tun, Bind bind, DeviceOptions options) throws IOException {
        Device d = new Device(tun, bind, options);
        try {
            d.start();
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void start() throws IOException {
        synchronized (control) {
            if (fwmark != 0) {
                bind.setMark(fwmark);
            }
            openBindLocked(options.listenPort());
            Thread t = Thread.ofPlatform().name("wg-" + name + "-tun").daemon().unstarted(this::tunLoop);
            Thread h = Thread.ofPlatform().name("wg-" + name + "-handshake").daemon().unstarted(this::handshakeLoop);
            threads.add(t);
            threads.add(h);
            t.start();
            h.start();
            ticker = clock.startTicker(timing.timerTick(), this::tick);
        }
    }

    private void openBindLocked(int port) throws IOException {
        Bind.Opened opened = bind.open(port);
        listenPort = opened.port();
        int i = 0;
        for (Bind.ReceiveFunc rf : opened.receivers()) {
            Thread r = Thread.ofPlatform().name("wg-" + name + "-rx" + i++).daemon().unstarted(() -> receiveLoop(rf));
            threads.add(r);
            r.start();
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The port the Bind is listening on. */
    public int listenPort() {
        return listenPort;
    }

    /** The device's public key, or null when it has no private key. */
    public Key publicKey() {
        StaticIdentity id = identity;
        return id == null ? null : Key.of(id.publicKey(), Key.Type.PUBLIC);
    }

    // ------------------------------------------------------------------ control

    @Override
    public DeviceStatus status() {
        List<PeerStatus> ps = new ArrayList<>();
        for (Peer p : peers.values()) {
            Endpoint ep = p.endpoint;
            ps.add(new PeerStatus(p.publicKey, p.presharedKey, ep == null ? null : ep.address(),
                    p.persistentKeepaliveSeconds, allowedIps.prefixesOf(p), p.lastHandshake,
                    p.rxBytes.sum(), p.txBytes.sum(), 1));
        }
        return new DeviceStatus(privateKey, listenPort, fwmark, ps);
    }

    @Override
    public void apply(DeviceUpdate update) throws IOException {
        synchronized (control) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (update.privateKey() != null) {
                setPrivateKeyLocked(update.privateKey());
            }
            if (update.fwmark() != null && update.fwmark() != fwmark) {
                bind.setMark(update.fwmark());
                fwmark = update.fwmark();
            }
            if (update.listenPort() != null && update.listenPort() != listenPort) {
                reopenBindLocked(update.listenPort()); // 0: a port the system chooses, as wireguard-go
            }
            if (update.replacePeers()) {
                Set<Key> keep = new HashSet<>();
                for (PeerUpdate pu : update.peers()) {
                    if (!pu.remove()) {
                        keep.add(pu.publicKey());
                    }
                }
                for (Peer p : List.copyOf(peers.values())) {
                    if (!keep.contains(p.publicKey)) {
                        removePeerLocked(p);
                    }
                }
            }
            for (PeerUpdate pu : update.peers()) {
                applyPeerLocked(pu);
            }
        }
    }

    /**
     * Reopens the Bind on {@code port}, on the device's control thread: it was started by the
     * thread that made the device, so the new sockets land in the device's network namespace
     * whichever thread calls {@link #apply} (a UAPI server's virtual thread, say).
     */
    private void reopenBindLocked(int port) throws IOException {
        java.util.concurrent.Future<?> f = controlThread.submit(() -> {
            bind.close();
            threads.removeIf(t -> !t.isAlive());
            openBindLocked(port);
            return null;
        });
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("reopening the Bind of " + name + " on port " + port + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reopening the Bind of " + name);
        }
    }

    private void setPrivateKeyLocked(Key key) {
        if (key.type() != Key.Type.PRIVATE) {
            throw new IllegalArgumentException("the device's private key must be a private key, got a " + key.type() + " key");
        }
        byte[] raw = key.bytes();
        boolean zero = true;
        for (byte b : raw) {
            zero &= b == 0;
        }
        if (zero) {
            identity = null;
            cookieChecker = null;
            privateKey = null;
        } else {
            StaticIdentity id = new StaticIdentity(key);
            if (privateKey != null && privateKey.equals(key)) {
                return;
            }
            privateKey = key;
            identity = id;
            cookieChecker = new CookieChecker(id, timing.cookieRefreshTime().toNanos());
            Peer self = peers.get(Key.of(id.publicKey(), Key.Type.PUBLIC));
            if (self != null) {
                removePeerLocked(self); // a device is not its own peer
            }
        }
        for (Peer p : peers.values()) {
            zeroKeyMaterial(p);
            p.handshake.setIdentity(identity);
        }
    }

    private void applyPeerLocked(PeerUpdate pu) throws IOException {
        Key pub = pu.publicKey();
        if (pub.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("a peer is named by its public key, got a " + pub.type() + " key");
        }
        Peer p = peers.get(pub);
        if (pu.remove()) {
            if (p != null) {
                removePeerLocked(p);
            }
            return;
        }
        if (p == null) {
            if (pu.updateOnly()) {
                return;
            }
            StaticIdentity id = identity;
            if (id != null && pub.equals(Key.of(id.publicKey(), Key.Type.PUBLIC))) {
                return; // wireguard-go ignores a peer with the device's own key
            }
            p = new Peer(pub, this);
            p.handshake.setIdentity(id);
            peers.put(pub, p);
        }
        if (pu.presharedKey() != null) {
            byte[] psk = pu.presharedKey().bytes();
            boolean zero = true;
            for (byte b : psk) {
                zero &= b == 0;
            }
            p.presharedKey = zero ? null : Key.of(psk, Key.Type.PRESHARED);
            p.handshake.setPresharedKey(zero ? null : psk);
        }
        if (pu.endpoint() != null) {
            InetSocketAddress a = pu.endpoint();
            String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
            if (a.getAddress() instanceof Inet6Address || host.indexOf(':') >= 0) {
                int pct = host.indexOf('%');
                host = "[" + (pct >= 0 ? host.substring(0, pct) : host) + "]";
            }
            p.endpoint = bind.parseEndpoint(host + ":" + a.getPort());
        }
        if (pu.replaceAllowedIps()) {
            allowedIps.removeValue(p);
        }
        for (IpPrefix prefix : pu.allowedIps()) {
            allowedIps.insert(prefix, p);
        }
        if (pu.persistentKeepaliveSeconds() != null) {
            int before = p.persistentKeepaliveSeconds;
            p.persistentKeepaliveSeconds = pu.persistentKeepaliveSeconds();
            if (before == 0 && p.persistentKeepaliveSeconds > 0 && p.endpoint != null && identity != null) {
                sendKeepalive(p, timerContext);
            }
        }
    }

    /**
     * Sets the endpoint of an existing peer to an endpoint of this device's Bind (for Binds
     * whose endpoints are not plain {@code ip:port}, such as relayed or in-memory ones).
     *
     * @throws IllegalArgumentException when there is no such peer
     */
    public void setEndpoint(Key peer, Endpoint endpoint) {
        synchronized (control) {
            Peer p = peers.get(peer);
            if (p == null) {
                throw new IllegalArgumentException("device " + name + " has no peer " + peer);
            }
            p.endpoint = endpoint;
        }
    }

    private void removePeerLocked(Peer p) {
        // under the peer's lock: a sealer (sendInitiation) or the handshake thread checks removed and
        // registers/binds an index under it, so none can outlive the removal
        synchronized (p) {
            p.removed = true;
            indices.removePeer(p);
        }
        peers.remove(p.publicKey);
        allowedIps.removeValue(p);
        p.timers.stop();
        zeroKeyMaterial(p);
        p.drainStaged();
    }

    /** Counters of the device: drops by reason and handshake traffic. */
    public DeviceCounters counters() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            m.put(r, dropped.get(r.ordinal()));
        }
        m.merge(DropReason.TUN_MALFORMED, tun.malformed(), Long::sum);
        return new DeviceCounters(m, initiationsSent.sum(), responsesSent.sum(), cookieRepliesSent.sum(),
                handshakesCompleted.sum(), transportReceived.sum(), transportSent.sum());
    }

    void drop(DropReason r) {
        dropped.incrementAndGet(r.ordinal());
    }

    private void drop(DropReason r, int n) {
        dropped.addAndGet(r.ordinal(), n);
    }

    /** Stops the threads, closes the Bind and the TUN (a real interface disappears). Idempotent. */
    @Override
    public void close() {
        synchronized (control) {
            if (closed) {
                return;
            }
            closed = true;
            for (Peer p : peers.values()) {
                p.timers.stop();
            }
        }
        if (ticker != null) {
            try {
                ticker.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the ticker of {0}: {1}", name, e);
            }
        }
        bind.close();
        tun.close();
        controlThread.shutdownNow();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    // ------------------------------------------------------------------ timers

    private void tick() {
        if (closed) {
            return;
        }
        try {
            for (Peer p : peers.values()) {
                p.timers.tick(timerContext);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "timer tick of " + name + " failed", e);
        }
    }

    /** Runs the timers now (tests on a fake clock call this through {@link FakeClock#advance}). */
    void runTimers() {
        tick();
    }

    void zeroKeyMaterial(Peer p) {
        synchronized (p.keypairLock) {
            for (Keypair kp : new Keypair[] {p.previous, p.current, p.next}) {
                if (kp != null) {
                    indices.remove(kp.localIndex);
                }
            }
            p.previous = null;
            p.current = null;
            p.next = null;
        }
        indices.remove(p.handshake.localIndex());
        p.handshake.clear();
    }

    void dropStaged(Peer p) {
        drop(DropReason.STAGED_OVERFLOW, p.drainStaged().length);
    }

    // ------------------------------------------------------------------ handshake: sending

    /** Sends an initiation unless one went out less than REKEY_TIMEOUT ago. */
    void sendInitiation(Peer p, SendContext ctx, boolean retry) {
        if (!retry) {
            p.timers.handshakeAttempts = 0;
        }
        long now = clock.nanos();
        byte[] msg;
        synchronized (p) {
            if (now - p.lastSentHandshake < timing.rekeyTimeout().toNanos() || p.removed || closed) {
                return;
            }
            p.lastSentHandshake = now;
            msg = new byte[INITIATION_SIZE];
            int old = p.handshake.localIndex();
            int idx = indices.register(p);
            if (!p.handshake.createInitiation(msg, idx, clock.now())) {
                indices.remove(idx);
                return;
            }
            if (old != 0 && old != idx) {
                IndexTable.Entry e = indices.get(old);
                if (e != null && e.keypair() == null) {
                    indices.remove(old);
                }
            }
            p.cookieGenerator.addMacs(msg, INITIATION_SIZE, now);
        }
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.timers.anyAuthenticatedPacketSent();
        // armed before sending: the response may be consumed (and the timer cleared) on
        // another thread before sendRaw returns, and arming after it would re-arm a
        // retransmission of a handshake that has already completed
        p.timers.handshakeInitiated(now);
        if (sendRaw(p, ctx, msg, INITIATION_SIZE)) {
            initiationsSent.increment();
        }
    }

    private boolean sendRaw(Peer p, SendContext ctx, byte[] msg, int len) {
        Endpoint ep = p.endpoint;
        if (ep == null) {
            drop(DropReason.NO_ENDPOINT);
            return false;
        }
        synchronized (ctx) {
            PacketBatch out = ctx.out;
            ByteBuffer b = out.buffer(0);
            b.clear();
            b.put(msg, 0, len).flip();
            out.setCount(1);
            try {
                bind.send(out, ep);
                p.txBytes.add(len);
                return true;
            } catch (IOException e) {
                drop(DropReason.SEND_FAILED);
                return false;
            }
        }
    }

    /** Sends a keepalive (an empty transport message), or starts a handshake if there is no keypair. */
    void sendKeepalive(Peer p, SendContext ctx) {
        synchronized (ctx) {
            if (p.stagedCount() == 0) {
                long now = clock.nanos();
                ctx.outCount = 0;
                ctx.outPeer = p;
                if (sealInto(p, ctx, ctx.scratch, 0, 0, now)) {
                    flush(ctx);
                } else {
                    sendInitiation(p, ctx, false);
                }
                return;
            }
        }
        sendStaged(p, ctx);
    }

    /** Sends the packets staged for a handshake, or starts one if there is still no keypair. */
    void sendStaged(Peer p, SendContext ctx) {
        Keypair kp = p.current;
        long now = clock.nanos();
        if (kp == null || !usableForSend(kp, now)) {
            sendInitiation(p, ctx, false);
            return;
        }
        byte[][] packets = p.drainStaged();
        synchronized (ctx) {
            ctx.outCount = 0;
            ctx.outPeer = p;
            for (byte[] pkt : packets) {
                System.arraycopy(pkt, 0, ctx.scratch, TRANSPORT_HEADER_SIZE, pkt.length);
                if (!sealInto(p, ctx, ctx.scratch, TRANSPORT_HEADER_SIZE, pkt.length, now)) {
                    p.stage(pkt);
                    continue;
                }
                if (ctx.outCount == ctx.out.capacity()) {
                    flush(ctx);
                    ctx.outPeer = p;
                }
            }
            flush(ctx);
        }
    }

    private boolean usableForSend(Keypair kp, long now) {
        return Long.compareUnsigned(kp.sendCounter(), timing.rejectAfterMessages()) < 0
                && now - kp.createdNanos < timing.rejectAfterTime().toNanos();
    }

    // ------------------------------------------------------------------ send path

    /** A batch of packets read from the TUN, handed from the reader to the sealer (pipeline mode). */
    private static final class TunBatch {
        final ByteBuffer[] bufs;
        int n;

        TunBatch(int size, int bufSize) {
            bufs = new ByteBuffer[size];
            for (int i = 0; i < size; i++) {
                bufs[i] = ByteBuffer.allocateDirect(bufSize);
            }
        }
    }

    private static final int PIPELINE_DEPTH = 4;

    /**
     * The send path. With {@code workers} of 2 or more it is a two-stage pipeline (wireguard-go's
     * reader and encryption stages): this thread reads batches from the TUN while a sealer
     * thread routes, seals and sends the previous ones, in order; batches circulate between a
     * free and a full queue, so nothing is allocated per packet. With 1 worker one thread does both.
     */
    private void tunLoop() {
        int bufSize = Math.min(SendContext.MAX_MESSAGE, options.mtu() + 128);
        if (options.workers() < 2) {
            SendContext ctx = new SendContext(bind.batchSize(), options.mtu());
            TunBatch b = new TunBatch(TUN_BATCH, bufSize);
            while (!closed && readTun(b)) {
                sealBatch(ctx, b);
            }
            return;
        }
        java.util.concurrent.ArrayBlockingQueue<TunBatch> free = new java.util.concurrent.ArrayBlockingQueue<>(PIPELINE_DEPTH);
        java.util.concurrent.ArrayBlockingQueue<TunBatch> full = new java.util.concurrent.ArrayBlockingQueue<>(PIPELINE_DEPTH + 1);
        for (int i = 0; i < PIPELINE_DEPTH; i++) {
            free.add(new TunBatch(TUN_BATCH, bufSize));
        }
        TunBatch poison = new TunBatch(0, 1);
        Thread sealer = Thread.ofPlatform().name("wg-" + name + "-seal").daemon().start(() -> {
            SendContext ctx = new SendContext(bind.batchSize(), options.mtu());
            try {
                while (!closed) {
                    TunBatch b = full.take();
                    if (b == poison) {
                        return;
                    }
                    sealBatch(ctx, b);
                    free.put(b);
                }
            } catch (InterruptedException e) {
                // closing
            }
        });
        threads.add(sealer);
        try {
            while (!closed) {
                TunBatch b = free.take();
                if (!readTun(b)) {
                    break;
                }
                full.put(b);
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            full.offer(poison);
        }
    }

    /** Reads one batch from the TUN; false when the TUN is closed or broken. */
    private boolean readTun(TunBatch b) {
        int failures = 0;
        while (!closed) {
            try {
                for (ByteBuffer buf : b.bufs) {
                    buf.clear();
                }
                b.n = tun.read(b.bufs, b.bufs.length);
                return true;
            } catch (ClosedChannelException e) {
                return false;
            } catch (IOException e) {
                if (closed) {
                    return false;
                }
                failures = ioFailure(DropReason.TUN_READ_FAILED, failures, "reading the TUN " + name, e);
            }
        }
        return false;
    }

    /**
     * An I/O error in a loop that goes on (the device is not closed): counted; the first of a
     * run is logged, a repeating one backs off (1, 2, 4 ... up to 100 ms). Returns the run's new length.
     */
    private int ioFailure(DropReason reason, int failures, String what, IOException e) {
        drop(reason);
        if (failures == 0) {
            LOG.log(System.Logger.Level.WARNING, what + " failed (going on)", e);
        } else {
            try {
                Thread.sleep(Math.min(100L, 1L << Math.min(failures - 1, 7)));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        return failures + 1;
    }

    private void sealBatch(SendContext ctx, TunBatch b) {
        long now = clock.nanos();
        synchronized (ctx) {
            ctx.outCount = 0;
            ctx.outPeer = null;
            for (int i = 0; i < b.n; i++) {
                try {
                    routeAndSeal(ctx, b.bufs[i], now);
                } catch (RuntimeException e) {
                    drop(DropReason.INTERNAL_ERROR);
                    LOG.log(System.Logger.Level.DEBUG, "sending a packet on " + name + " failed", e);
                }
            }
            flush(ctx);
        }
    }

    /** Routes one TUN packet to its peer, seals it into the context's batch (or stages it). */
    private void routeAndSeal(SendContext ctx, ByteBuffer b, long now) {
        int pos = b.position();
        int len = b.remaining();
        if (len < 1) {
            drop(DropReason.INVALID_INNER_PACKET);
            return;
        }
        int version = (b.get(pos) & 0xff) >>> 4;
        Peer p;
        if (version == 4 && len >= 20) {
            p = allowedIps.lookup(b, pos + 16, 4);
        } else if (version == 6 && len >= 40) {
            p = allowedIps.lookup(b, pos + 24, 16);
        } else {
            drop(DropReason.INVALID_INNER_PACKET);
            return;
        }
        if (p == null) {
            drop(DropReason.NO_ROUTE);
            return;
        }
        if (len > options.mtu() + 64 - 32 - TRANSPORT_HEADER_SIZE) {
            drop(DropReason.INVALID_INNER_PACKET);
            return;
        }
        if (p != ctx.outPeer) {
            flush(ctx);
            ctx.outPeer = p;
        }
        Keypair kp = p.current;
        if (kp == null || !usableForSend(kp, now) || p.endpoint == null) {
            byte[] copy = new byte[len];
            b.get(pos, copy);
            if (!p.stage(copy)) {
                drop(DropReason.STAGED_OVERFLOW);
            }
            sendInitiation(p, handshakeContextFor(ctx), false);
            return;
        }
        b.get(pos, ctx.scratch, TRANSPORT_HEADER_SIZE, len);
        if (!sealInto(p, ctx, ctx.scratch, TRANSPORT_HEADER_SIZE, len, now)) {
            byte[] copy = new byte[len];
            b.get(pos, copy);
            p.stage(copy);
            sendInitiation(p, handshakeContextFor(ctx), false);
            return;
        }
        if (ctx.outCount == ctx.out.capacity()) {
            flush(ctx);
            ctx.outPeer = p;
        }
    }

    private SendContext handshakeContextFor(SendContext ctx) {
        return timerContext == ctx ? timerContext : handshakeContext;
    }

    /**
     * Seals the payload at {@code buf[TRANSPORT_HEADER_SIZE..+len)} with the peer's current
     * keypair (padding it) and appends the message to the context's batch.
     *
     * @return false when there is no usable keypair
     */
    private boolean sealInto(Peer p, SendContext ctx, byte[] buf, int payloadOff, int len, long now) {
        Keypair kp = p.current;
        if (kp == null || !usableForSend(kp, now)) {
            return false;
        }
        long counter = kp.nextSendCounter();
        if (Long.compareUnsigned(counter, timing.rejectAfterMessages()) >= 0) {
            return false;
        }
        int padded = len;
        int mtu = options.mtu();
        if (len < mtu) {
            padded = Math.min((len + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE, mtu);
        }
        byte[] s = ctx.scratch;
        if (s != buf) {
            System.arraycopy(buf, payloadOff, s, TRANSPORT_HEADER_SIZE, len);
        }
        java.util.Arrays.fill(s, TRANSPORT_HEADER_SIZE + len, TRANSPORT_HEADER_SIZE + padded, (byte) 0);
        s[0] = TYPE_TRANSPORT;
        s[1] = 0;
        s[2] = 0;
        s[3] = 0;
        putIntLE(s, TRANSPORT_RECEIVER, kp.remoteIndex);
        putLongLE(s, TRANSPORT_COUNTER, counter);
        int sealed = ctx.aead.seal(kp.sendKey, counter, s, TRANSPORT_HEADER_SIZE, padded, null);
        int total = TRANSPORT_HEADER_SIZE + sealed;
        ByteBuffer ob = ctx.out.buffer(ctx.outCount++);
        ob.clear();
        ob.put(s, 0, total).flip();
        p.txBytes.add(total);
        transportSent.increment();
        if (len > 0) {
            p.timers.dataSent(now);
        }
        p.timers.anyAuthenticatedPacketSent();
        p.timers.anyAuthenticatedPacketTraversal(now);
        // keep the key fresh: the initiator rekeys after REKEY_AFTER_TIME, anyone after REKEY_AFTER_MESSAGES
        if (Long.compareUnsigned(counter, timing.rekeyAfterMessages()) >= 0
                || (kp.initiator && now - kp.createdNanos >= timing.rekeyAfterTime().toNanos())) {
            ctx.pendingRekey = p;
        }
        return true;
    }

    /** Sends the context's batch to its peer's endpoint. */
    private void flush(SendContext ctx) {
        Peer p = ctx.outPeer;
        int n = ctx.outCount;
        ctx.outCount = 0;
        if (p != null && n > 0) {
            Endpoint ep = p.endpoint;
            if (ep == null) {
                drop(DropReason.NO_ENDPOINT, n);
            } else {
                ctx.out.setCount(n);
                try {
                    bind.send(ctx.out, ep);
                } catch (IOException e) {
                    drop(DropReason.SEND_FAILED, n);
                }
            }
        }
        Peer rekey = ctx.pendingRekey;
        if (rekey != null) {
            ctx.pendingRekey = null;
            sendInitiation(rekey, handshakeContextFor(ctx), false);
        }
    }

    // ------------------------------------------------------------------ receive path

    private void receiveLoop(Bind.ReceiveFunc rf) {
        SendContext ctx = new SendContext(8, options.mtu());
        ctx.tunWriter = tun.newWriter();
        PacketBatch in = new PacketBatch(Math.max(1, bind.batchSize()), SendContext.MAX_MESSAGE);
        int failures = 0;
        while (!closed) {
            int n;
            try {
                n = rf.receive(in);
                failures = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                failures = ioFailure(DropReason.RECEIVE_FAILED, failures, "receiving on " + name, e);
                continue;
            }
            long now = clock.nanos();
            for (int slot = 0; slot < n; slot++) {
                try {
                    receiveOne(ctx, in, slot, now);
                } catch (RuntimeException e) {
                    drop(DropReason.INTERNAL_ERROR);
                    LOG.log(System.Logger.Level.DEBUG, "a datagram on " + name + " failed", e);
                }
            }
            try {
                if (!ctx.tunWriter.flush()) {
                    drop(DropReason.TUN_WRITE_FAILED);
                }
            } catch (IOException e) {
                drop(DropReason.TUN_WRITE_FAILED);
            }
        }
    }

    private void receiveOne(SendContext ctx, PacketBatch in, int slot, long now) {
        ByteBuffer b = in.buffer(slot);
        int pos = b.position();
        int len = b.remaining();
        if (len < 4) {
            drop(DropReason.TRUNCATED);
            return;
        }
        int type = b.get(pos) & 0xff;
        if (b.get(pos + 1) != 0 || b.get(pos + 2) != 0 || b.get(pos + 3) != 0) {
            drop(DropReason.UNKNOWN_TYPE);
            return;
        }
        switch (type) {
            case TYPE_TRANSPORT -> {
                if (len < TRANSPORT_MIN_SIZE) {
                    drop(DropReason.TRUNCATED);
                } else {
                    receiveTransport(ctx, in, slot, b, pos, len, now);
                }
            }
            case TYPE_INITIATION, TYPE_RESPONSE, TYPE_COOKIE_REPLY -> {
                int want = type == TYPE_INITIATION ? INITIATION_SIZE : type == TYPE_RESPONSE ? RESPONSE_SIZE : COOKIE_REPLY_SIZE;
                if (len != want) {
                    drop(DropReason.TRUNCATED);
                    return;
                }
                byte[] msg = new byte[len];
                b.get(pos, msg);
                int alen = in.addressLength(slot);
                byte[] src = new byte[alen + 2];
                System.arraycopy(in.addressBytes(slot), 0, src, 0, alen);
                src[alen] = (byte) (in.port(slot) >>> 8);
                src[alen + 1] = (byte) in.port(slot);
                if (!handshakeQueue.offer(new HandshakeJob(msg, bind.endpointOf(in, slot), src))) {
                    drop(DropReason.RATE_LIMITED);
                }
            }
            default -> drop(DropReason.UNKNOWN_TYPE);
        }
    }

    private static int leInt(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8 | (b.get(at + 2) & 0xff) << 16 | (b.get(at + 3) & 0xff) << 24;
    }

    private void receiveTransport(SendContext ctx, PacketBatch in, int slot, ByteBuffer b, int pos, int len, long now) {
        int receiver = leInt(b, pos + TRANSPORT_RECEIVER);
        IndexTable.Entry e = indices.get(receiver);
        if (e == null || e.keypair() == null) {
            drop(DropReason.UNKNOWN_RECEIVER);
            return;
        }
        Keypair kp = e.keypair();
        Peer p = e.peer();
        if (now - kp.createdNanos >= timing.rejectAfterTime().toNanos()) {
            drop(DropReason.EXPIRED_KEYPAIR);
            return;
        }
        long counter = (leInt(b, pos + TRANSPORT_COUNTER) & 0xffffffffL) | ((long) leInt(b, pos + TRANSPORT_COUNTER + 4) << 32);
        byte[] s = ctx.scratch;
        int clen = len - TRANSPORT_HEADER_SIZE;
        b.get(pos + TRANSPORT_HEADER_SIZE, s, 0, clen);
        int n = ctx.aead.open(kp.receiveKey, counter, s, 0, clen, null);
        if (n < 0) {
            drop(DropReason.DECRYPT_FAILED);
            return;
        }
        switch (kp.checkReceived(counter, timing.rejectAfterMessages())) {
            case ReplayWindow.ACCEPTED -> { }
            case ReplayWindow.REPLAYED -> {
                drop(DropReason.REPLAYED);
                return;
            }
            case ReplayWindow.TOO_OLD -> {
                drop(DropReason.OUT_OF_WINDOW);
                return;
            }
            default -> {
                drop(DropReason.EXPIRED_KEYPAIR);
                return;
            }
        }
        // authenticated: roam to the source, confirm the keypair, run the timers
        Endpoint ep = p.endpoint;
        if (ep == null || !ep.matches(in, slot)) {
            Endpoint source = bind.endpointOf(in, slot);
            if (source != null) { // null: a source the Bind cannot send to (IPv6 link-local): keep the current one
                p.endpoint = source;
            }
        }
        boolean confirmed = kp == p.next && receivedWithKeypair(p, kp);
        if (confirmed) {
            p.timers.handshakeComplete();
            handshakeCompleted(p);
        }
        if (kp.initiator && !p.timers.sentLastMinuteHandshake
                && now - kp.createdNanos >= timing.rejectAfterTime().toNanos() - timing.keepaliveTimeout().toNanos() - timing.rekeyTimeout().toNanos()) {
            p.timers.sentLastMinuteHandshake = true;
            sendInitiation(p, ctx, false);
        }
        p.timers.anyAuthenticatedPacketReceived();
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.rxBytes.add(len);
        transportReceived.increment();
        if (n > 0) {
            deliverInner(ctx, p, n, now);
        }
        if (confirmed) {
            // after the packet left ctx.scratch: sealing the staged packets reuses it
            sendStaged(p, ctx);
        }
    }

    /** Writes the decrypted packet of {@code n} bytes in {@code ctx.scratch} from {@code p} to the TUN, or drops it. */
    private void deliverInner(SendContext ctx, Peer p, int n, long now) {
        byte[] s = ctx.scratch;
        p.timers.dataReceived(now);
        int version = (s[0] & 0xff) >>> 4;
        int plen;
        Peer owner;
        if (version == 4 && n >= 20) {
            plen = (s[2] & 0xff) << 8 | (s[3] & 0xff);
            if (plen < 20 || plen > n) {
                drop(DropReason.INVALID_INNER_PACKET);
                return;
            }
            owner = allowedIps.lookup(ctx.scratchView, 12, 4);
        } else if (version == 6 && n >= 40) {
            plen = 40 + ((s[4] & 0xff) << 8 | (s[5] & 0xff));
            if (plen > n) {
                drop(DropReason.INVALID_INNER_PACKET);
                return;
            }
            owner = allowedIps.lookup(ctx.scratchView, 8, 16);
        } else {
            drop(DropReason.INVALID_INNER_PACKET);
            return;
        }
        if (owner != p) {
            drop(DropReason.SOURCE_NOT_ALLOWED);
            return;
        }
        ByteBuffer t = ctx.tunOut;
        int headroom = tun.writeHeadroom();
        t.clear().position(headroom);
        t.put(s, 0, plen);
        t.limit(headroom + plen).position(headroom);
        try {
            if (!ctx.tunWriter.write(t)) {
                drop(DropReason.TUN_WRITE_FAILED);
            }
        } catch (IOException ex) {
            drop(DropReason.TUN_WRITE_FAILED);
        }
    }

    /** The responder's next keypair is confirmed by the first packet received on it. */
    private boolean receivedWithKeypair(Peer p, Keypair kp) {
        synchronized (p.keypairLock) {
            if (p.next != kp) {
                return false;
            }
            Keypair old = p.previous;
            if (old != null) {
                indices.remove(old.localIndex);
            }
            p.previous = p.current;
            p.current = kp;
            p.next = null;
            return true;
        }
    }

    /** Installs a new keypair (wireguard-go's BeginSymmetricSession). */
    private void installKeypair(Peer p, Keypair kp) {
        synchronized (p.keypairLock) {
            if (kp.initiator) {
                Keypair next = p.next;
                if (next != null) {
                    p.next = null;
                    removeKeypair(p.previous);
                    removeKeypair(p.current);
                    p.previous = next;
                } else {
                    removeKeypair(p.previous);
                    p.previous = p.current;
                }
                p.current = kp;
            } else {
                removeKeypair(p.next);
                removeKeypair(p.previous);
                p.next = kp;
                p.previous = null;
            }
        }
    }

    private void removeKeypair(Keypair kp) {
        if (kp != null) {
            indices.remove(kp.localIndex);
        }
    }

    // ------------------------------------------------------------------ handshake thread

    private void handshakeLoop() {
        SendContext ctx = handshakeContext;
        while (!closed) {
            HandshakeJob job;
            try {
                job = handshakeQueue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job == null) {
                continue;
            }
            try {
                handleHandshake(ctx, job);
            } catch (RuntimeException e) {
                drop(DropReason.HANDSHAKE_INVALID);
                LOG.log(System.Logger.Level.DEBUG, "a handshake message on " + name + " failed", e);
            }
        }
    }

    private boolean underLoad() {
        int threshold = options.handshakeLoadThreshold();
        return threshold == 0 || handshakeQueue.size() >= threshold;
    }

    private void handleHandshake(SendContext ctx, HandshakeJob job) {
        byte[] msg = job.msg();
        int type = msg[0] & 0xff;
        long now = clock.nanos();
        StaticIdentity id = identity;
        CookieChecker checker = cookieChecker;
        if (id == null || checker == null) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        if (type == TYPE_COOKIE_REPLY) {
            IndexTable.Entry e = indices.get(getIntLE(msg, COOKIE_RECEIVER));
            if (e == null || !e.peer().cookieGenerator.consumeReply(msg, now)) {
                drop(DropReason.COOKIE_INVALID);
            }
            return;
        }
        if (!checker.checkMac1(msg, msg.length)) {
            drop(DropReason.BAD_MAC);
            return;
        }
        if (underLoad()) {
            if (!checker.checkMac2(msg, msg.length, job.sourceBytes(), now)) {
                if (job.source() == null) {
                    drop(DropReason.RATE_LIMITED); // no cookie reply to a source the Bind cannot send to
                    return;
                }
                byte[] reply = new byte[COOKIE_REPLY_SIZE];
                checker.createReply(msg, msg.length, job.sourceBytes(), now, reply);
                sendTo(ctx, job.source(), reply);
                cookieRepliesSent.increment();
                return;
            }
            byte[] src = job.sourceBytes();
            if (!rateLimiter.allow(src, src.length - 2, now)) {
                drop(DropReason.RATE_LIMITED);
                return;
            }
        }
        if (type == TYPE_INITIATION) {
            consumeInitiation(ctx, job, id, now);
        } else {
            consumeResponse(ctx, job, now);
        }
    }

    private void sendTo(SendContext ctx, Endpoint ep, byte[] msg) {
        synchronized (ctx) {
            PacketBatch out = ctx.out;
            ByteBuffer b = out.buffer(0);
            b.clear();
            b.put(msg).flip();
            out.setCount(1);
            try {
                bind.send(out, ep);
            } catch (IOException e) {
                drop(DropReason.SEND_FAILED);
            }
        }
    }

    private void consumeInitiation(SendContext ctx, HandshakeJob job, StaticIdentity id, long now) {
        byte[] msg = job.msg();
        Handshake.InitiationStart start = Handshake.startConsumingInitiation(id, msg);
        if (start == null) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        Peer p = peers.get(Key.of(start.peerStatic(), Key.Type.PUBLIC));
        if (p == null) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        if (crossesOurInitiation(p, id, now)) {
            drop(DropReason.HANDSHAKE_CROSSED);
            return;
        }
        Handshake.Refusal r = p.handshake.finishConsumingInitiation(start, msg, now, timing.handshakeInitiationRate().toNanos());
        if (r != Handshake.Refusal.NONE) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        if (job.source() != null) {
            p.endpoint = job.source();
        }
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.timers.anyAuthenticatedPacketReceived();
        byte[] resp = new byte[RESPONSE_SIZE];
        int old = p.handshake.localIndex();
        int idx = indices.register(p);
        if (!p.handshake.createResponse(resp, idx)) {
            indices.remove(idx);
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        if (old != 0) {
            IndexTable.Entry e = indices.get(old);
            if (e != null && e.keypair() == null) {
                indices.remove(old);
            }
        }
        p.cookieGenerator.addMacs(resp, RESPONSE_SIZE, now);
        Keypair kp = p.handshake.deriveKeypair(now);
        if (kp == null) {
            indices.remove(idx);
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        synchronized (p) {
            if (p.removed) {
                indices.remove(idx);
                drop(DropReason.HANDSHAKE_INVALID);
                return;
            }
            indices.bind(idx, p, kp);
        }
        installKeypair(p, kp);
        p.timers.sessionDerived(now);
        synchronized (p) {
            p.lastSentHandshake = now;
        }
        p.timers.anyAuthenticatedPacketSent();
        if (sendRaw(p, ctx, resp, RESPONSE_SIZE)) {
            responsesSent.increment();
        }
    }

    /**
     * Whether an initiation from {@code p} crossed ours and we keep ours ({@link DropReason#HANDSHAKE_CROSSED}):
     * ours is still awaiting its response (sent less than REKEY_TIMEOUT ago), our public key is
     * the greater (unsigned, byte by byte), so the peer answers ours instead, and we have not
     * dropped one since the last completed handshake. That last condition covers a path that
     * works towards us only: our initiations are lost, the peer's first is dropped, its retry
     * is answered, so it costs one REKEY_TIMEOUT. A peer that never breaks the tie
     * (wireguard-go, the kernel) answers ours as the other end does here.
     */
    private boolean crossesOurInitiation(Peer p, StaticIdentity id, long now) {
        if (p.handshake.state() != Handshake.State.INITIATION_CREATED
                || java.util.Arrays.compareUnsigned(id.publicKey(), p.publicKey.bytes()) <= 0) {
            return false;
        }
        synchronized (p) {
            if (p.droppedCrossing || now - p.lastSentHandshake >= timing.rekeyTimeout().toNanos()) {
                return false;
            }
            p.droppedCrossing = true;
            return true;
        }
    }

    /** A handshake with {@code p} completed (either role): count it, and break the next crossing again. */
    private void handshakeCompleted(Peer p) {
        synchronized (p) {
            p.droppedCrossing = false;
        }
        handshakesCompleted.increment();
    }

    private void consumeResponse(SendContext ctx, HandshakeJob job, long now) {
        byte[] msg = job.msg();
        IndexTable.Entry e = indices.get(getIntLE(msg, RESP_RECEIVER));
        if (e == null || e.keypair() != null) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        Peer p = e.peer();
        if (!p.handshake.consumeResponse(msg)) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        Keypair kp = p.handshake.deriveKeypair(now);
        if (kp == null) {
            drop(DropReason.HANDSHAKE_INVALID);
            return;
        }
        synchronized (p) {
            if (p.removed) {
                drop(DropReason.HANDSHAKE_INVALID);
                return;
            }
            indices.bind(kp.localIndex, p, kp);
        }
        installKeypair(p, kp);
        if (job.source() != null) {
            p.endpoint = job.source();
        }
        p.timers.sessionDerived(now);
        p.timers.handshakeComplete();
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.timers.anyAuthenticatedPacketReceived();
        handshakeCompleted(p);
        if (p.stagedCount() > 0) {
            sendStaged(p, ctx);
        } else {
            sendKeepalive(p, ctx);
        }
    }

    // ------------------------------------------------------------------ for tests

    /** Number of live local indices (tests). */
    int indexCount() {
        return indices.size();
    }

    Peer peer(Key publicKey) {
        return peers.get(publicKey);
    }

    @Override
    public String toString() {
        return "Device[" + name + ", port " + listenPort + ", " + peers.size() + " peers]";
    }
}
