package org.cunicu4j.stun.turn;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.PasswordAlgorithm;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.StunMethod;
import org.cunicu4j.stun.TransactionId;

/**
 * A TURN server just real enough to drive {@link Allocation}'s state machine over a
 * {@link MemoryPacketConn}: long-term credentials with realm {@value #REALM}, 438 on
 * request, and a record of everything the client sent. Test support; its reader runs on
 * a thread of its own until the connection closes.
 */
final class FakeTurnServer implements AutoCloseable {
    static final String REALM = "fake";
    static final InetSocketAddress RELAYED = new InetSocketAddress("198.51.100.1", 50000);

    private final MemoryPacketConn conn;
    private final String user;
    private final String password;
    private final byte[] key;
    private final Thread thread;
    final List<StunMessage> requests = new CopyOnWriteArrayList<>();
    final BlockingQueue<Relayed> sent = new LinkedBlockingQueue<>();
    final ConcurrentHashMap<Integer, InetSocketAddress> channels = new ConcurrentHashMap<>();
    final AtomicInteger nonceCounter = new AtomicInteger(1);
    volatile int grantedLifetime = 600;
    volatile boolean silent;
    /** The method whose next authenticated request gets 438 Stale Nonce. */
    volatile int staleNextMethod = -1;
    /** Before each authenticated success: send forgeries (a wrong MESSAGE-INTEGRITY, none at all). */
    volatile boolean forge;
    /** Send only the forgeries, never the real success. */
    volatile boolean forgeOnly;
    /** The realm of the 401 challenges (default {@value #REALM}). */
    volatile String challengeRealm = REALM;
    /** RFC 8489 password algorithms: nonce cookie with the bit, PASSWORD-ALGORITHMS (MD5, SHA-256), SHA-256 keys. */
    volatile boolean sha256;
    static final List<PasswordAlgorithm> OFFERED = List.of(PasswordAlgorithm.MD5, PasswordAlgorithm.SHA256);
    private final byte[] key256;

    record Relayed(InetSocketAddress peer, byte[] data, boolean channel) {}

    FakeTurnServer(MemoryPacketConn conn, String user, String password) {
        this.conn = conn;
        this.user = user;
        this.password = password;
        this.key = StunCredentials.longTermKey(user, REALM, password);
        this.key256 = StunCredentials.longTermKey(user, REALM, password, PasswordAlgorithm.SHA256);
        this.thread = Thread.ofPlatform().daemon().name("fake-turn").start(this::run);
    }

    private String nonce() {
        return (sha256 ? "obMatJos2gAAA" : "") + "nonce-" + nonceCounter.get();
    }

    List<StunMessage> requests(int method) {
        return requests.stream().filter(m -> m.method() == method).toList();
    }

    private void run() {
        PacketBatch batch = new PacketBatch(1, 65535);
        while (true) {
            try {
                conn.receive(batch);
            } catch (ClosedChannelException e) {
                return;
            }
            ByteBuffer b = batch.buffer(0);
            try {
                handle(b, batch.address(0));
            } catch (Exception e) {
                throw new AssertionError("fake TURN server cannot handle a message", e);
            }
        }
    }

    private void handle(ByteBuffer b, InetSocketAddress from) throws Exception {
        if (ChannelData.looksLike(b)) {
            int ch = ChannelData.channel(b);
            byte[] data = new byte[ChannelData.length(b)];
            b.get(ChannelData.HEADER, data);
            sent.add(new Relayed(channels.get(ch), data, true));
            return;
        }
        StunMessage m = StunMessage.parse(b).copy();
        if (m.is(StunMethod.SEND, StunClass.INDICATION)) {
            ByteBuffer d = m.data().orElseThrow();
            byte[] data = new byte[d.remaining()];
            d.get(data);
            sent.add(new Relayed(m.xorPeerAddress().orElseThrow(), data, false));
            return;
        }
        requests.add(m);
        if (silent) {
            return;
        }
        MessageType type = m.type();
        boolean authentic = sha256
                ? m.hasMessageIntegritySha256() && m.verifyMessageIntegritySha256(key256)
                        && m.passwordAlgorithm().equals(java.util.Optional.of(PasswordAlgorithm.SHA256))
                        && m.passwordAlgorithms().equals(OFFERED)
                : m.hasMessageIntegrity() && m.verifyMessageIntegrity(key);
        if (!authentic || !m.username().orElse("").equals(user)) {
            StunMessageBuilder challenge = error(m, 401, "Unauthorized").realm(challengeRealm).nonce(nonce());
            if (sha256) {
                challenge.passwordAlgorithms(OFFERED);
            }
            reply(challenge.build());
            return;
        }
        if (!m.nonce().orElse("").equals(nonce()) || staleNextMethod == m.method()) {
            staleNextMethod = -1;
            nonceCounter.incrementAndGet();
            reply(error(m, 438, "Stale Nonce").realm(REALM).nonce(nonce()).build());
            return;
        }
        StunMessageBuilder ok = StunMessage.builder(type.success(), m.transactionId());
        switch (m.method()) {
            case StunMethod.ALLOCATE -> ok.xorRelayedAddress(RELAYED).xorMappedAddress(from).lifetime(grantedLifetime);
            case StunMethod.REFRESH -> ok.lifetime(m.lifetime().orElse(600) == 0 ? 0 : grantedLifetime);
            case StunMethod.CHANNEL_BIND -> channels.put(m.channelNumber().orElseThrow(), m.xorPeerAddress().orElseThrow());
            default -> { }
        }
        if (forge || forgeOnly) {
            byte[] wrongKey = StunCredentials.longTermKey(user, REALM, password + "-not");
            StunMessageBuilder bad = StunMessage.builder(type.success(), m.transactionId());
            if (m.method() == StunMethod.ALLOCATE) {
                bad.xorRelayedAddress(new InetSocketAddress("192.0.2.66", 6666)).lifetime(grantedLifetime);
            }
            reply(bad.messageIntegrity(wrongKey).fingerprint().build());
            StunMessageBuilder none = StunMessage.builder(type.success(), m.transactionId());
            if (m.method() == StunMethod.ALLOCATE) {
                none.xorRelayedAddress(new InetSocketAddress("192.0.2.66", 6667)).lifetime(grantedLifetime);
            }
            reply(none.fingerprint().build());
            if (forgeOnly) {
                return;
            }
        }
        reply((sha256 ? ok.messageIntegritySha256(key256) : ok.messageIntegrity(key)).fingerprint().build());
    }

    private static StunMessageBuilder error(StunMessage m, int code, String reason) {
        return StunMessage.builder(m.type().error(), m.transactionId()).errorCode(code, reason);
    }

    private void reply(byte[] bytes) throws Exception {
        PacketBatch out = new PacketBatch(1, 65535);
        out.buffer(0).put(bytes).flip();
        out.setAddress(0, conn.peer().localAddress());
        out.setCount(1);
        conn.send(out);
    }

    /** Relays {@code data} from {@code peer} to the client in a Data indication. */
    void dataIndication(InetSocketAddress peer, byte[] data) throws Exception {
        reply(StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                .xorPeerAddress(peer).data(data).fingerprint().build());
    }

    /** Relays {@code data} on {@code channel} to the client. */
    void channelData(int channel, byte[] data) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 + data.length);
        ChannelData.write(b, channel, ByteBuffer.wrap(data), false);
        reply(b.array());
    }

    @Override
    public void close() {
        conn.close();
    }
}
