package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.ErrorCode;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.TransactionId;

/**
 * A TURN allocation (RFC 8656) on one server, used like a socket: the relay connection.
 * {@link #send} to a peer goes as ChannelData when a channel is bound to the peer, else as
 * a Send indication (creating the peer's permission first, once, if needed);
 * {@link #receive} yields what peers sent to the relayed address (Data indications and
 * ChannelData) with the peer as source; {@link #localAddress} is the relayed address.
 * The allocation, its permissions and its channels are refreshed on the scheduler before
 * they expire; {@link #close} deallocates (Refresh with LIFETIME 0).
 *
 * <p>Made by {@link TurnClient#allocate}. It owns its link to the server (the UDP
 * {@link PacketConn} or the TCP/TLS socket), a reader thread that dispatches everything
 * the server sends, and, unless one was given, its scheduler thread.
 *
 * <p>Threading: as {@link PacketConn}: one thread may receive while others send;
 * {@link #createPermission} and {@link #bindChannel} block for one request and may be
 * called from any thread; {@link #close} from any thread wakes receivers.
 */
public final class Allocation implements PacketConn {
    private static final System.Logger LOG = System.getLogger(Allocation.class.getName());
    private static final int UDP = 17;
    private static final int MAX_AUTH_RETRIES = 3;

    private final TurnConfig config;
    private final ServerLink link;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Transactions transactions;
    private final RelayQueue queue;
    private final String serverName;
    private final Thread reader;
    private final Indications indications = new Indications();
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(65535 + 64);
    private final Object lock = new Object();

    // guarded by lock
    private String realm;
    private String nonce;
    private byte[] key;
    private ScheduledFuture<?> refreshTimer;
    private ScheduledFuture<?> permissionTimer;
    private ScheduledFuture<?> channelTimer;
    private int nextChannel = ChannelData.MIN_CHANNEL;
    private boolean closed;
    private IOException failure;

    // copy-on-write arrays scanned without locks on the data path
    private volatile Permission[] permissions = new Permission[0];
    private volatile Channel[] channels = new Channel[0];

    private volatile InetSocketAddress relayed;
    private volatile InetSocketAddress mapped;
    private volatile Duration lifetime;
    private volatile Duration firstRtt;
    private volatile long expiresAtNanos;

    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong permissionRefreshes = new AtomicLong();
    private final AtomicLong channelRefreshes = new AtomicLong();
    private final AtomicLong staleNonces = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unknownChannel = new AtomicLong();
    private final AtomicLong sendDrops = new AtomicLong();
    private final AtomicLong sendIndications = new AtomicLong();
    private final AtomicLong channelDataSent = new AtomicLong();
    private final AtomicLong dataIndications = new AtomicLong();
    private final AtomicLong channelDataReceived = new AtomicLong();

    private record Permission(byte[] address, int length, InetAddress ip) {}

    private record Channel(int number, InetSocketAddress peer, byte[] address, int length, int port) {}

    Allocation(TurnConfig config, ServerLink link, ScheduledExecutorService scheduler, boolean ownsScheduler) {
        this.config = config;
        this.link = link;
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        this.serverName = addr(link.server()) + " (" + link.protocol() + ")";
        this.transactions = new Transactions(link, scheduler, config, serverName);
        this.queue = new RelayQueue(config.queueSlots(), config.slotSize());
        this.reader = Thread.ofPlatform().daemon().name("turn-reader " + serverName).unstarted(this::readLoop);
    }

    /** Starts the reader and allocates; blocks until the server grants the allocation or refuses it. */
    void open() throws IOException {
        reader.start();
        long started = System.nanoTime();
        StunMessage ok = await(request(MessageType.ALLOCATE_REQUEST, b -> b.requestedTransport(UDP)
                .lifetime(seconds(config.lifetime())), true, started));
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

    // ---- requests with long-term credentials ----

    /**
     * Sends an authenticated request (or, before the first challenge, an unauthenticated
     * one), following 401 and 438 challenges with the server's new realm and nonce.
     */
    private CompletableFuture<StunMessage> request(MessageType type, Consumer<StunMessageBuilder> attributes,
            boolean firstAllocate, long startedNanos) {
        return attempt(type, attributes, 0, firstAllocate, startedNanos);
    }

    private CompletableFuture<StunMessage> attempt(MessageType type, Consumer<StunMessageBuilder> attributes,
            int retries, boolean measureRtt, long startedNanos) {
        TransactionId tid = TransactionId.random();
        StunMessageBuilder b = StunMessage.builder(type, tid);
        attributes.accept(b);
        byte[] usedKey;
        String usedRealm;
        synchronized (lock) {
            usedKey = key;
            usedRealm = realm;
            if (key != null) {
                b.username(config.username()).realm(realm).nonce(nonce).messageIntegrity(key);
            }
        }
        byte[] bytes = b.fingerprint().build();
        return transactions.start(tid, bytes, type).thenCompose(response -> {
            if (measureRtt && firstRtt == null) {
                firstRtt = Duration.ofNanos(System.nanoTime() - startedNanos);
            }
            if (response.messageClass() == StunClass.SUCCESS_RESPONSE) {
                if (usedKey != null && response.hasMessageIntegrity() && !response.verifyMessageIntegrity(usedKey)) {
                    return CompletableFuture.failedFuture(new TurnException(TurnException.Kind.PROTOCOL, 0,
                            "TURN server " + serverName + " answered the " + type
                                    + " with a MESSAGE-INTEGRITY that does not match our key"));
                }
                return CompletableFuture.completedFuture(response);
            }
            ErrorCode error = response.errorCode().orElse(new ErrorCode(ErrorCode.SERVER_ERROR, "no ERROR-CODE"));
            int code = error.code();
            boolean challenge = code == ErrorCode.UNAUTHORIZED && usedKey == null;
            boolean stale = code == ErrorCode.STALE_NONCE;
            if (challenge && (response.realm().isEmpty() || response.nonce().isEmpty())) {
                return CompletableFuture.failedFuture(new TurnException(TurnException.Kind.PROTOCOL, code,
                        "TURN server " + serverName + " answered the " + type + " with " + error
                                + " but without the REALM and NONCE of a long-term credential challenge"));
            }
            if (challenge && config.username().isEmpty()) {
                return CompletableFuture.failedFuture(new TurnException(TurnException.Kind.UNAUTHORIZED, code,
                        "TURN server " + serverName + " asks for long-term credentials (realm \""
                                + response.realm().get() + "\") but no user name and password were given"));
            }
            if ((challenge || stale) && retries < MAX_AUTH_RETRIES && response.nonce().isPresent()) {
                synchronized (lock) {
                    if (response.realm().isPresent() && !response.realm().get().equals(realm)) {
                        realm = response.realm().get();
                        key = StunCredentials.longTermKey(config.username(), realm, config.password());
                    }
                    nonce = response.nonce().get();
                }
                if (stale) {
                    staleNonces.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, "stale nonce from {0}, retrying {1}", serverName, type);
                }
                return attempt(type, attributes, retries + 1, false, startedNanos);
            }
            if (code == ErrorCode.UNAUTHORIZED) {
                return CompletableFuture.failedFuture(new TurnException(TurnException.Kind.UNAUTHORIZED, code,
                        "TURN server " + serverName + " rejected the credentials for user \"" + config.username()
                                + "\" at realm \"" + usedRealm + "\" (" + error + ")"));
            }
            String hint = code == ErrorCode.TRY_ALTERNATE && response.alternateServer().isPresent()
                    ? "; it suggests " + response.alternateServer().get() : "";
            return CompletableFuture.failedFuture(new TurnException(TurnException.Kind.REFUSED, code,
                    "TURN server " + serverName + " refused the " + type + ": " + error + hint));
        });
    }

    private <T> T await(CompletableFuture<T> f) throws IOException {
        try {
            return f.get(config.requestTimeout().toNanos() * (MAX_AUTH_RETRIES + 1) + 1_000_000_000L,
                    TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TurnException t) {
                throw new TurnException(t.kind(), t.errorCode(), t.getMessage());
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("TURN request to " + serverName + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new TurnException(TurnException.Kind.TIMEOUT, 0, "TURN server " + serverName + " did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for TURN server " + serverName);
        }
    }

    // ---- refreshes ----

    private void scheduleRefreshLocked() {
        if (closed) {
            return;
        }
        long nanos = lifetime.toNanos() * 3 / 4;
        refreshTimer = scheduler.schedule(this::refresh, nanos, TimeUnit.NANOSECONDS);
    }

    private void refresh() {
        request(MessageType.REFRESH_REQUEST, b -> b.lifetime(seconds(config.lifetime())), false, System.nanoTime())
                .whenComplete((ok, error) -> {
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
                                relayed, serverName);
                        synchronized (lock) {
                            if (!closed) {
                                refreshTimer = scheduler.schedule(this::refresh, 0, TimeUnit.NANOSECONDS);
                            }
                        }
                    } else {
                        fail(new IOException("TURN allocation " + addr(relayed) + " on " + serverName
                                + " could not be refreshed: " + rootMessage(error), error));
                    }
                });
    }

    private void refreshPermissions() {
        Permission[] all = permissions;
        if (all.length == 0 || isClosed()) {
            return;
        }
        createPermissionAsync(all).whenComplete((ok, error) -> {
            if (error == null) {
                permissionRefreshes.incrementAndGet();
            } else {
                LOG.log(System.Logger.Level.WARNING, "refreshing permissions on {0} failed: {1}", serverName,
                        rootMessage(error));
            }
        });
    }

    private void refreshChannels() {
        for (Channel c : channels) {
            if (isClosed()) {
                return;
            }
            channelBindAsync(c.number(), c.peer()).whenComplete((ok, error) -> {
                if (error == null) {
                    channelRefreshes.incrementAndGet();
                } else {
                    LOG.log(System.Logger.Level.WARNING, "refreshing channel {0} on {1} failed: {2}",
                            Integer.toHexString(c.number()), serverName, rootMessage(error));
                }
            });
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
     * Installs permissions for {@code peers} (their IPs; ports are ignored), refreshed until
     * close. Blocks for one request.
     */
    public void createPermission(InetAddress... peers) throws IOException {
        Permission[] wanted = new Permission[peers.length];
        for (int i = 0; i < peers.length; i++) {
            byte[] raw = peers[i].getAddress();
            wanted[i] = new Permission(raw, raw.length, peers[i]);
        }
        await(createPermissionAsync(wanted));
    }

    private CompletableFuture<StunMessage> createPermissionAsync(Permission[] wanted) {
        return request(MessageType.CREATE_PERMISSION_REQUEST, b -> {
            for (Permission p : wanted) {
                b.xorPeerAddress(new InetSocketAddress(p.ip(), 0));
            }
        }, false, System.nanoTime()).thenApply(ok -> {
            for (Permission p : wanted) {
                addPermission(p);
            }
            return ok;
        });
    }

    private void addPermission(Permission p) {
        synchronized (lock) {
            if (findPermission(p.address(), p.length()) == null) {
                Permission[] next = Arrays.copyOf(permissions, permissions.length + 1);
                next[next.length - 1] = p;
                permissions = next;
            }
        }
    }

    private Permission findPermission(byte[] addr, int len) {
        for (Permission p : permissions) {
            if (p.length() == len && Arrays.equals(p.address(), 0, len, addr, 0, len)) {
                return p;
            }
        }
        return null;
    }

    /** True when a permission for {@code peer}'s IP is installed. */
    public boolean hasPermission(InetAddress peer) {
        byte[] raw = peer.getAddress();
        return findPermission(raw, raw.length) != null;
    }

    /**
     * Binds a channel to {@code peer} (which also installs its permission), refreshed until
     * close; from then on {@link #send} to the peer uses ChannelData. Returns the channel
     * number; binding a bound peer again returns its channel. Blocks for one request.
     */
    public int bindChannel(InetSocketAddress peer) throws IOException {
        if (peer.isUnresolved()) {
            throw new IllegalArgumentException("unresolved peer address: " + peer);
        }
        int number;
        synchronized (lock) {
            for (Channel c : channels) {
                if (c.peer().equals(peer)) {
                    return c.number();
                }
            }
            if (nextChannel > ChannelData.MAX_CHANNEL) {
                throw new TurnException(TurnException.Kind.REFUSED, 0, "all channels of the allocation on "
                        + serverName + " are bound");
            }
            number = nextChannel++;
        }
        await(channelBindAsync(number, peer));
        byte[] raw = peer.getAddress().getAddress();
        synchronized (lock) {
            Channel[] next = Arrays.copyOf(channels, channels.length + 1);
            next[next.length - 1] = new Channel(number, peer, raw, raw.length, peer.getPort());
            channels = next;
        }
        addPermission(new Permission(raw, raw.length, peer.getAddress()));
        return number;
    }

    private CompletableFuture<StunMessage> channelBindAsync(int number, InetSocketAddress peer) {
        return request(MessageType.CHANNEL_BIND_REQUEST, b -> b.channelNumber(number).xorPeerAddress(peer),
                false, System.nanoTime());
    }

    /** The channel bound to {@code peer}, if any. */
    public Optional<Integer> channel(InetSocketAddress peer) {
        for (Channel c : channels) {
            if (c.peer().equals(peer)) {
                return Optional.of(c.number());
            }
        }
        return Optional.empty();
    }

    // ---- PacketConn ----

    /**
     * Relays each slot to its peer: ChannelData if a channel is bound, else a Send
     * indication; the first datagram to a peer without a permission blocks while the
     * permission is created. A datagram the server would refuse (no permission obtainable,
     * too big) is dropped and counted ({@link #stats()}).
     */
    @Override
    public int send(PacketBatch batch) throws IOException {
        int n = batch.count();
        for (int i = 0; i < n; i++) {
            if (isClosed()) {
                throw new ClosedChannelException();
            }
            Channel channel = null;
            int len = batch.addressLength(i);
            for (Channel c : channels) {
                // compare raw bytes: PacketBatch.addressEquals would clone the InetAddress's bytes
                if (c.length() == len && c.port() == batch.port(i)
                        && Arrays.equals(c.address(), 0, len, batch.addressBytes(i), 0, len)) {
                    channel = c;
                    break;
                }
            }
            ByteBuffer data = batch.buffer(i);
            if (channel == null && findPermission(batch.addressBytes(i), len) == null
                    && !permit(batch.address(i))) {
                sendDrops.incrementAndGet();
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
                    link.send(sendBuffer);
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

    private boolean permit(InetSocketAddress peer) throws IOException {
        if (peer == null) {
            return false;
        }
        try {
            createPermission(peer.getAddress());
            return true;
        } catch (TurnException e) {
            if (e.kind() == TurnException.Kind.CLOSED) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "no permission for {0} on {1}: {2}", peer, serverName,
                    e.getMessage());
            return false;
        }
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
        return firstRtt;
    }

    /** The server's realm. */
    public String realm() {
        synchronized (lock) {
            return realm;
        }
    }

    /** The server and transport, e.g. {@code 198.18.0.10:3478 (udp)}. */
    public String server() {
        return serverName;
    }

    /** Our end of the link to the server. */
    public InetSocketAddress linkAddress() {
        return link.localAddress();
    }

    /** Why the allocation ended, when it was lost (refresh failed, link broke) rather than closed. */
    public Optional<IOException> failure() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    /** Counters, for diagnostics and tests. */
    public TurnStats stats() {
        return new TurnStats(refreshes.get(), permissionRefreshes.get(), channelRefreshes.get(), staleNonces.get(),
                malformed.get(), unknownChannel.get(), queue.dropped() + queue.tooBig(), sendDrops.get(),
                sendIndications.get(), channelDataSent.get(), dataIndications.get(), channelDataReceived.get());
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    // ---- reader ----

    private void readLoop() {
        while (true) {
            ByteBuffer m;
            try {
                m = link.receive();
            } catch (IOException e) {
                if (!isClosed()) {
                    fail(new IOException("the link to TURN server " + serverName + " broke: " + e.getMessage(), e));
                }
                return;
            } catch (RuntimeException e) {
                if (!isClosed()) {
                    fail(new IOException("the reader of TURN server " + serverName + " failed: " + e, e));
                }
                return;
            }
            try {
                dispatch(m);
            } catch (RuntimeException e) {
                malformed.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "dropping a message from {0}: {1}", serverName, e);
            }
        }
    }

    /**
     * Handles one message from the server: relayed data to the receive queue, responses to
     * their transactions. Called by the reader thread (tests call it directly while the
     * reader is idle, to measure it).
     */
    void dispatch(ByteBuffer m) {
        if (ChannelData.looksLike(m)) {
            int number = ChannelData.channel(m);
            for (Channel c : channels) {
                if (c.number() == number) {
                    channelDataReceived.incrementAndGet();
                    queue.offer(m, ChannelData.HEADER, ChannelData.length(m), c.address(), c.length(), c.port());
                    return;
                }
            }
            unknownChannel.incrementAndGet();
            return;
        }
        if (indications.readData(m)) {
            dataIndications.incrementAndGet();
            queue.offer(m, indications.dataOffset, indications.dataLength, indications.peerAddress,
                    indications.peerAddressLength, indications.peerPort);
            return;
        }
        StunMessage msg;
        try {
            msg = StunMessage.parse(m.duplicate());
        } catch (StunParseException e) {
            malformed.incrementAndGet();
            return;
        }
        StunClass cls = msg.messageClass();
        if ((cls == StunClass.SUCCESS_RESPONSE || cls == StunClass.ERROR_RESPONSE)
                && transactions.onResponse(msg.copy())) {
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
                request(MessageType.REFRESH_REQUEST, b -> b.lifetime(0), false, System.nanoTime())
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
        link.close();
        transactions.failAll(cause);
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
