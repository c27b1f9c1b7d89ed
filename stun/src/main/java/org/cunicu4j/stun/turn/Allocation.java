package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketQueue;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.client.InboundHandler;
import org.cunicu4j.stun.client.StreamStunTransport;
import org.cunicu4j.stun.client.StunClient;
import org.cunicu4j.stun.client.StunTransport;

/**
 * A TURN allocation (RFC 8656) on one server, used like a socket: the relay connection.
 * {@link #send} to a peer goes as ChannelData when a channel is bound to the peer, else as
 * a Send indication; a datagram to a peer without a permission starts creating it (one
 * request per peer IP in flight, never blocking the sender) and is dropped and counted;
 * {@link #receive} yields what peers sent to the relayed address (Data indications and
 * ChannelData) with the peer as source; {@link #localAddress} is the relayed address.
 * The allocation, its permissions and its channels are refreshed on the scheduler before
 * they expire (a failed permission or channel refresh is retried after
 * {@link TurnConfig#refreshRetry}; one that expires is forgotten, so the next send creates
 * it again); {@link #close} deallocates (Refresh with LIFETIME 0).
 *
 * <p>Made by {@link TurnClient#allocate}. It owns its transport to the server (a
 * {@link StunClient} over the UDP {@link PacketConn}, or a {@link StreamStunTransport}
 * over the TCP/TLS socket), which runs the transactions and whose reader hands the rest
 * (Data indications, ChannelData) to this allocation without allocating; and, unless one
 * was given, its scheduler thread.
 *
 * <p>Threading: as {@link PacketConn}: one thread may receive while others send (sends
 * are serialized; over TCP/TLS a send may block while the stream is backed up, at most for
 * {@link TurnConfig#requestTimeout}, after which the transport closes the connection and the
 * allocation is lost);
 * {@link #createPermission} and {@link #bindChannel} block for one request and may be
 * called from any thread (concurrent calls for one peer share one request); {@link #close}
 * from any thread wakes receivers.
 */
public final class Allocation implements PacketConn {
    private static final System.Logger LOG = System.getLogger(Allocation.class.getName());
    private static final int UDP = 17;

    private final TurnConfig config;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final AuthenticatedRequests requests;
    private final PeerTable peers = new PeerTable();
    private final PacketQueue queue;
    private final String serverName;
    private final Inbound inbound;
    private final Indications indications = new Indications();
    private volatile StunTransport transport; // set by open
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(65535 + 64);
    private final Object lock = new Object();

    // guarded by lock
    private ScheduledFuture<?> refreshTimer;
    private ScheduledFuture<?> permissionTimer;
    private ScheduledFuture<?> channelTimer;
    private boolean closed;
    private IOException failure;

    private volatile InetSocketAddress relayed;
    private volatile InetSocketAddress mapped;
    private volatile Duration lifetime;
    private volatile long expiresAtNanos;

    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong permissionRefreshes = new AtomicLong();
    private final AtomicLong channelRefreshes = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unknownChannel = new AtomicLong();
    private final AtomicLong sendDrops = new AtomicLong();
    private final AtomicLong sendIndications = new AtomicLong();
    private final AtomicLong channelDataSent = new AtomicLong();
    private final AtomicLong dataIndications = new AtomicLong();
    private final AtomicLong channelDataReceived = new AtomicLong();
    private final AtomicLong strangers = new AtomicLong();
    private final AtomicLong permissionPendingDrops = new AtomicLong();
    private final AtomicLong noPermissionDrops = new AtomicLong();

    /** CreatePermission requests in flight, one per peer IP. */
    private final ConcurrentHashMap<InetAddress, CompletableFuture<StunMessage>> permissionsInFlight =
            new ConcurrentHashMap<>();
    /** ChannelBind requests, one per peer: in flight, or done (the bound number). */
    private final ConcurrentHashMap<InetSocketAddress, CompletableFuture<Integer>> channelBindings =
            new ConcurrentHashMap<>();
    /** When each permission (by IP) and channel (by number) was last installed or refreshed. */
    private final ConcurrentHashMap<InetAddress, Long> permissionRefreshedAt = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Long> channelRefreshedAt = new ConcurrentHashMap<>();

    /** An allocation to be; {@link #inbound()} goes to its transport, then {@link #open}. */
    Allocation(TurnConfig config, ScheduledExecutorService scheduler, boolean ownsScheduler) {
        this.config = config;
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        this.serverName = addr(config.server()) + " (" + config.transport().id() + ")";
        this.requests = new AuthenticatedRequests(config, () -> transport, serverName);
        this.queue = new PacketQueue(config.queueSlots(), config.slotSize());
        this.inbound = new Inbound(config.server());
    }

    /** What the transport's reader hands over: relayed data, and the news that the link ended. */
    InboundHandler inbound() {
        return inbound;
    }

    /** Allocates over {@code transport} (now the allocation's); blocks until the server grants the allocation or refuses it. */
    void open(StunTransport transport) throws IOException {
        this.transport = transport;
        StunMessage ok = requests.await(requests.send(MessageType.ALLOCATE_REQUEST,
                b -> b.requestedTransport(UDP).lifetime(seconds(config.lifetime()))));
        InetSocketAddress relay = ok.xorRelayedAddress().orElseThrow(() -> new TurnException(
                TurnException.Kind.PROTOCOL, 0, "TURN server " + serverName
                        + " granted an allocation without XOR-RELAYED-ADDRESS"));
        relayed = relay;
        mapped = ok.xorMappedAddress().orElse(null);
        lifetime = Duration.ofSeconds(ok.lifetime().orElse(seconds(config.lifetime())));
        expiresAtNanos = System.nanoTime() + lifetime.toNanos();
        synchronized (lock) {
            scheduleRefreshLocked();
            long every = config.permissionRefresh().toNanos();
            permissionTimer = scheduler.scheduleAtFixedRate(this::refreshPermissions, every, every, TimeUnit.NANOSECONDS);
            every = config.channelRefresh().toNanos();
            channelTimer = scheduler.scheduleAtFixedRate(this::refreshChannels, every, every, TimeUnit.NANOSECONDS);
        }
        LOG.log(System.Logger.Level.DEBUG, "allocated {0} on {1} for {2}", relay, serverName, lifetime);
    }

    private static int seconds(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, d.toSeconds()));
    }

    // ---- refreshes ----

    private void scheduleRefreshLocked() {
        if (closed) {
            return;
        }
        long nanos = lifetime.toNanos() * 3 / 4;
        refreshTimer = scheduler.schedule(this::refresh, nanos, TimeUnit.NANOSECONDS);
    }

    /** The allocation's refresh task; a failure of its own (not the server's) loses the allocation too. */
    private void refresh() {
        try {
            refreshOnce();
        } catch (RuntimeException e) {
            fail(new IOException("TURN allocation " + addr(relayed) + " on " + serverName
                    + " could not be refreshed: " + e, e));
        }
    }

    private void refreshOnce() {
        requests.send(MessageType.REFRESH_REQUEST, b -> b.lifetime(seconds(config.lifetime())))
                .whenComplete((ok, error) -> {
                    try {
                        onRefreshed(ok, error);
                    } catch (RuntimeException e) {
                        fail(new IOException("TURN allocation " + addr(relayed) + " on " + serverName
                                + " could not be refreshed: " + e, e));
                    }
                });
    }

    private void onRefreshed(StunMessage ok, Throwable error) {
                    if (error == null) {
                        refreshes.incrementAndGet();
                        lifetime = Duration.ofSeconds(ok.lifetime().orElse(seconds(lifetime)));
                        expiresAtNanos = System.nanoTime() + lifetime.toNanos();
                        synchronized (lock) {
                            scheduleRefreshLocked();
                        }
                    } else if (isTimeout(error) && System.nanoTime() + config.requestTimeout().toNanos()
                            - expiresAtNanos < 0) {
                        LOG.log(System.Logger.Level.WARNING, "refreshing {0} on {1} timed out; trying again",
                                addr(relayed), serverName);
                        synchronized (lock) {
                            if (!closed) {
                                refreshTimer = scheduler.schedule(this::refresh, 0, TimeUnit.NANOSECONDS);
                            }
                        }
                    } else {
                        fail(new IOException("TURN allocation " + addr(relayed) + " on " + serverName
                                + " could not be refreshed: " + rootMessage(error), error));
                    }
    }

    /** The periodic permission refresh task; never throws (that would end the schedule). */
    private void refreshPermissions() {
        try {
            PeerTable.Permission[] all = peers.permissions();
            if (all.length == 0 || isClosed()) {
                return;
            }
            refreshPermissions(List.of(all));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "refreshing permissions on {0} failed: {1}", serverName, e);
        }
    }

    /**
     * Refreshes {@code some}; on failure tries again after {@link TurnConfig#refreshRetry}
     * until each expires, when it is forgotten (the next send to the peer creates it anew).
     */
    private void refreshPermissions(List<PeerTable.Permission> some) {
        createPermissionAsync(some.toArray(PeerTable.Permission[]::new)).whenComplete((ok, error) -> {
            try {
                if (error == null) {
                    permissionRefreshes.incrementAndGet();
                    return;
                }
                if (isClosed()) {
                    return;
                }
                long now = System.nanoTime();
                List<PeerTable.Permission> alive = new ArrayList<>();
                for (PeerTable.Permission p : some) {
                    Long at = permissionRefreshedAt.get(p.ip());
                    if (at == null || now - at >= config.permissionLifetime().toNanos()) {
                        peers.removePermission(p);
                        permissionRefreshedAt.remove(p.ip());
                        LOG.log(System.Logger.Level.WARNING, "the permission for {0} on {1} expired: refreshing it "
                                + "failed ({2}); the next send to it asks again", p.ip().getHostAddress(),
                                serverName, rootMessage(error));
                    } else if (peers.permitted(p.address(), p.length())) {
                        alive.add(p);
                    }
                }
                if (!alive.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "refreshing {0} permission(s) on {1} failed ({2}); trying "
                            + "again in {3} ms", alive.size(), serverName, rootMessage(error),
                            config.refreshRetry().toMillis());
                    later(() -> refreshPermissions(alive), config.refreshRetry());
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "refreshing permissions on {0} failed: {1}", serverName, e);
            }
        });
    }

    /** The periodic channel refresh task; never throws. */
    private void refreshChannels() {
        try {
            for (PeerTable.Channel c : peers.channels()) {
                if (isClosed()) {
                    return;
                }
                refreshChannel(c);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "refreshing channels on {0} failed: {1}", serverName, e);
        }
    }

    /** Refreshes {@code c}; on failure retries like permissions, and forgets it when it expires. */
    private void refreshChannel(PeerTable.Channel c) {
        if (peers.channel(c.number()) != c) {
            return; // forgotten meanwhile
        }
        channelBindAsync(c.number(), c.peer()).whenComplete((ok, error) -> {
            try {
                if (error == null) {
                    channelRefreshes.incrementAndGet();
                    channelRefreshedAt.put(c.number(), System.nanoTime());
                    permissionRefreshedAt.put(c.peer().getAddress(), System.nanoTime());
                    return;
                }
                if (isClosed()) {
                    return;
                }
                Long at = channelRefreshedAt.get(c.number());
                if (at == null || System.nanoTime() - at >= config.channelLifetime().toNanos()) {
                    peers.removeChannel(c);
                    channelRefreshedAt.remove(c.number());
                    channelBindings.remove(c.peer());
                    LOG.log(System.Logger.Level.WARNING, "channel {0} to {1} on {2} expired: refreshing it failed "
                            + "({3}); sends to the peer go as Send indications", Integer.toHexString(c.number()),
                            c.peer(), serverName, rootMessage(error));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "refreshing channel {0} on {1} failed ({2}); trying again "
                            + "in {3} ms", Integer.toHexString(c.number()), serverName, rootMessage(error),
                            config.refreshRetry().toMillis());
                    later(() -> refreshChannel(c), config.refreshRetry());
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "refreshing channel {0} on {1} failed: {2}",
                        Integer.toHexString(c.number()), serverName, e);
            }
        });
    }

    /** Runs {@code task} after {@code delay} on the scheduler unless closed; its exceptions are logged. */
    private void later(Runnable task, Duration delay) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                scheduler.schedule(() -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a scheduled task of {0} failed: {1}", this, e);
                    }
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the scheduler is shut down: the allocation is ending
            }
        }
    }

    private static String addr(InetSocketAddress a) {
        String ip = a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    private static boolean isTimeout(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof TurnException e && e.kind() == TurnException.Kind.TIMEOUT;
    }

    private static String rootMessage(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    // ---- permissions and channels ----

    /**
     * Installs permissions for the peers at {@code ips} (any port), refreshed until close.
     * Blocks until the server answers: one request per IP, shared with any other caller (or
     * sender) asking for the same IP at the same time.
     */
    public void createPermission(InetAddress... ips) throws IOException {
        List<CompletableFuture<StunMessage>> all = new ArrayList<>();
        for (InetAddress ip : ips) {
            all.add(permissionFor(ip));
        }
        for (CompletableFuture<StunMessage> f : all) {
            requests.await(f);
        }
    }

    /**
     * The CreatePermission for {@code ip} in flight, or a new one: concurrent callers share
     * one request per IP. Never blocks.
     */
    private CompletableFuture<StunMessage> permissionFor(InetAddress ip) {
        CompletableFuture<StunMessage> mine = new CompletableFuture<>();
        CompletableFuture<StunMessage> other = permissionsInFlight.putIfAbsent(ip, mine);
        if (other != null) {
            return other;
        }
        CompletableFuture<StunMessage> sent;
        try {
            sent = createPermissionAsync(new PeerTable.Permission[] {PeerTable.Permission.of(ip)});
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, error) -> {
            permissionsInFlight.remove(ip, mine);
            if (error == null) {
                mine.complete(ok);
            } else {
                mine.completeExceptionally(error);
            }
        });
        return mine;
    }

    private CompletableFuture<StunMessage> createPermissionAsync(PeerTable.Permission[] wanted) {
        return requests.send(MessageType.CREATE_PERMISSION_REQUEST, b -> {
            for (PeerTable.Permission p : wanted) {
                b.xorPeerAddress(new InetSocketAddress(p.ip(), 0));
            }
        }).thenApply(ok -> {
            long now = System.nanoTime();
            for (PeerTable.Permission p : wanted) {
                permissionRefreshedAt.put(p.ip(), now);
                peers.addPermission(p);
            }
            return ok;
        });
    }

    /** True when a permission for {@code peer}'s IP is installed. */
    public boolean hasPermission(InetAddress peer) {
        byte[] raw = peer.getAddress();
        return peers.permitted(raw, raw.length);
    }

    /**
     * Binds a channel to {@code peer} (which also installs its permission), refreshed until
     * close; from then on {@link #send} to the peer uses ChannelData. Returns the channel
     * number; binding a bound peer again returns its channel, and concurrent calls for one
     * peer share one number and one request. Blocks for one request.
     */
    public int bindChannel(InetSocketAddress peer) throws IOException {
        if (peer.isUnresolved()) {
            throw new IllegalArgumentException("unresolved peer address: " + peer);
        }
        PeerTable.Channel bound = peers.channel(peer);
        if (bound != null) {
            return bound.number();
        }
        CompletableFuture<Integer> mine = new CompletableFuture<>();
        CompletableFuture<Integer> other = channelBindings.putIfAbsent(peer, mine);
        if (other != null) {
            return requests.await(other);
        }
        int number = peers.reserveChannel();
        if (number < 0) {
            channelBindings.remove(peer, mine);
            TurnException e = new TurnException(TurnException.Kind.REFUSED, 0, "all channels of the allocation on "
                    + serverName + " are bound");
            mine.completeExceptionally(e);
            throw e;
        }
        CompletableFuture<StunMessage> sent;
        try {
            sent = channelBindAsync(number, peer);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, error) -> {
            if (error == null) {
                long now = System.nanoTime();
                channelRefreshedAt.put(number, now);
                permissionRefreshedAt.put(peer.getAddress(), now);
                peers.addChannel(PeerTable.Channel.of(number, peer));
                mine.complete(number);
            } else {
                channelBindings.remove(peer, mine);
                mine.completeExceptionally(error);
            }
        });
        return requests.await(mine);
    }

    private CompletableFuture<StunMessage> channelBindAsync(int number, InetSocketAddress peer) {
        return requests.send(MessageType.CHANNEL_BIND_REQUEST, b -> b.channelNumber(number).xorPeerAddress(peer));
    }

    /** The channel bound to {@code peer}, if any. */
    public Optional<Integer> channel(InetSocketAddress peer) {
        PeerTable.Channel c = peers.channel(peer);
        return c == null ? Optional.empty() : Optional.of(c.number());
    }

    // ---- PacketConn ----

    /**
     * Relays each slot to its peer: ChannelData if a channel is bound, else a Send
     * indication. A datagram to a peer without a permission starts its creation (one request
     * per peer IP) and is dropped and counted ({@link TurnStats#permissionPendingDrops()}):
     * the sender never waits for the server. A datagram the server would refuse (too big for
     * a Send indication) is dropped and counted ({@link TurnStats#sendDrops()}).
     */
    @Override
    public int send(PacketBatch batch) throws IOException {
        int n = batch.count();
        for (int i = 0; i < n; i++) {
            if (isClosed()) {
                throw new ClosedChannelException();
            }
            int len = batch.addressLength(i);
            PeerTable.Channel channel = peers.channelTo(batch.addressBytes(i), len, batch.port(i));
            ByteBuffer data = batch.buffer(i);
            if (channel == null && !peers.permitted(batch.addressBytes(i), len)) {
                askPermission(batch.address(i));
                continue;
            }
            synchronized (sendBuffer) {
                sendBuffer.clear();
                try {
                    if (channel != null) {
                        ChannelData.write(sendBuffer, channel.number(), data, false);
                    } else {
                        Indications.writeSend(sendBuffer, batch.addressBytes(i), len, batch.port(i), data);
                    }
                } catch (java.nio.BufferOverflowException | IllegalArgumentException e) {
                    sendDrops.incrementAndGet();
                    continue;
                }
                sendBuffer.flip();
                try {
                    transport.send(sendBuffer);
                    (channel != null ? channelDataSent : sendIndications).incrementAndGet();
                } catch (IOException e) {
                    if (isClosed()) {
                        throw new ClosedChannelException();
                    }
                    throw e;
                }
            }
        }
        return n;
    }

    /** Drops a datagram to {@code peer}, which has no permission, and makes sure one is being created. */
    private void askPermission(InetSocketAddress peer) {
        if (peer == null) {
            sendDrops.incrementAndGet();
            return;
        }
        permissionPendingDrops.incrementAndGet();
        InetAddress ip = peer.getAddress();
        if (permissionsInFlight.containsKey(ip)) {
            return;
        }
        permissionFor(ip).whenComplete((ok, error) -> {
            if (error != null && !isClosed()) {
                LOG.log(System.Logger.Level.WARNING, "no permission for {0} on {1}: {2}", ip.getHostAddress(),
                        serverName, rootMessage(error));
            }
        });
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        return queue.take(batch);
    }

    /** The relayed transport address: where peers send to reach us. */
    @Override
    public InetSocketAddress localAddress() {
        return relayed;
    }

    /** The relayed transport address (same as {@link #localAddress()}). */
    public InetSocketAddress relayedAddress() {
        return relayed;
    }

    /** Our address as the server saw it (XOR-MAPPED-ADDRESS of the Allocate response), if it said. */
    public Optional<InetSocketAddress> mappedAddress() {
        return Optional.ofNullable(mapped);
    }

    /** The lifetime the server granted last. */
    public Duration lifetime() {
        return lifetime;
    }

    /** The round-trip time of the first Allocate request (the challenge). */
    public Duration rtt() {
        return requests.firstRtt();
    }

    /** The server's realm. */
    public String realm() {
        return requests.realm();
    }

    /** The server and transport, e.g. {@code 198.18.0.10:3478 (udp)}. */
    public String server() {
        return serverName;
    }

    /** Our end of the link to the server. */
    public InetSocketAddress linkAddress() {
        return transport.localAddress();
    }

    /** Datagrams dropped because they came from somewhere other than the server (UDP). */
    long strangers() {
        return strangers.get();
    }

    /** Why the allocation ended, when it was lost (refresh failed, link broke) rather than closed. */
    public Optional<IOException> failure() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    /** Counters, for diagnostics and tests. */
    public TurnStats stats() {
        return new TurnStats(refreshes.get(), permissionRefreshes.get(), channelRefreshes.get(), requests.staleNonces(),
                malformed.get(), unknownChannel.get(), queue.dropped() + queue.tooBig(), sendDrops.get(),
                sendIndications.get(), channelDataSent.get(), dataIndications.get(), channelDataReceived.get(),
                permissionPendingDrops.get(), noPermissionDrops.get());
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    // ---- reader ----

    /**
     * The transport's handler for what is not a response: over UDP only datagrams from the
     * server count (compared raw, without allocating); on a stream everything is the server's.
     */
    private final class Inbound implements InboundHandler {
        private final byte[] serverIp;
        private final int serverPort;

        Inbound(InetSocketAddress server) {
            this.serverIp = server.getAddress().getAddress();
            this.serverPort = server.getPort();
        }

        @Override
        public void onInbound(ByteBuffer data, InetSocketAddress from) {
            safeDispatch(data);
        }

        @Override
        public void onDatagram(PacketBatch batch, int slot) {
            if (batch.addressLength(slot) == serverIp.length && batch.port(slot) == serverPort
                    && Arrays.equals(batch.addressBytes(slot), 0, serverIp.length, serverIp, 0, serverIp.length)) {
                safeDispatch(batch.buffer(slot));
            } else {
                strangers.incrementAndGet();
            }
        }

        @Override
        public void onReaderEnd(IOException cause) {
            if (!isClosed()) {
                String why = cause.getMessage() != null ? cause.getMessage() : "its socket was closed";
                fail(new IOException("the link to TURN server " + serverName + " broke: " + why, cause));
            }
        }

        private void safeDispatch(ByteBuffer m) {
            try {
                dispatch(m);
            } catch (RuntimeException e) {
                malformed.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "dropping a message from {0}: {1}", serverName, e);
            }
        }
    }

    /**
     * Handles one message from the server that is not a response to a pending transaction
     * (the transport matched those): relayed data to the receive queue; anything else (a
     * late response, a stray request) is counted as malformed. Called by the transport's
     * reader thread (tests call it directly while the reader is idle, to measure it).
     */
    void dispatch(ByteBuffer m) {
        if (ChannelData.looksLike(m)) {
            PeerTable.Channel c = peers.channel(ChannelData.channel(m));
            if (c == null) {
                unknownChannel.incrementAndGet();
            } else {
                channelDataReceived.incrementAndGet();
                queue.offer(m, ChannelData.HEADER, ChannelData.length(m), c.address(), c.length(), c.port());
            }
            return;
        }
        if (indications.readData(m)) {
            if (!peers.permitted(indications.peerAddress, indications.peerAddressLength)) {
                noPermissionDrops.incrementAndGet(); // RFC 8656 section 9: no permission, no data
                return;
            }
            dataIndications.incrementAndGet();
            queue.offer(m, indications.dataOffset, indications.dataLength, indications.peerAddress,
                    indications.peerAddressLength, indications.peerPort);
            return;
        }
        malformed.incrementAndGet();
    }

    // ---- closing ----

    private void fail(IOException cause) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            requests.closing(cause); // before anyone can see the failure: requests fail with it from now on
            failure = cause;
        }
        LOG.log(System.Logger.Level.WARNING, cause.getMessage());
        shutdown(cause);
    }

    /**
     * Deallocates (a Refresh with LIFETIME 0, waiting at most a second for the answer), then
     * closes the link and wakes receivers. Idempotent.
     */
    @Override
    public void close() {
        boolean deallocate;
        synchronized (lock) {
            if (closed) {
                return;
            }
            deallocate = relayed != null && failure == null;
            cancelTimersLocked();
        }
        if (deallocate) {
            try {
                requests.send(MessageType.REFRESH_REQUEST, b -> b.lifetime(0))
                        .get(Math.min(1000, config.requestTimeout().toMillis()), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "deallocation on {0}: {1}", serverName, rootMessage(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        shutdown(new TurnException(TurnException.Kind.CLOSED, 0, "the allocation on " + serverName + " is closed"));
    }

    private void cancelTimersLocked() {
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {refreshTimer, permissionTimer, channelTimer}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    private void shutdown(IOException cause) {
        synchronized (lock) {
            closed = true;
            cancelTimersLocked();
        }
        queue.close();
        requests.closing(cause);
        StunTransport t = transport;
        if (t != null) {
            t.close();
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /** Closes without deallocating (for a failed Allocate). */
    void abandon(IOException cause) {
        shutdown(cause);
    }

    @Override
    public String toString() {
        return "TURN allocation " + (relayed == null ? "(none yet)" : addr(relayed)) + " on " + serverName;
    }
}
