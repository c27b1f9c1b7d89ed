package org.cunicu4j.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.cunicu4j.ice.testing.FakeIceScheduler;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.StunParseException;
import org.cunicu4j.stun.TransactionId;

/**
 * One agent on a fake clock with one host candidate (10.0.0.1:5000) over an in-memory link
 * to a peer the test plays by hand (10.0.0.2:5000, credentials {@link #PEER}). What the
 * peer sends reaches the agent's reader; what the agent sends is queued in
 * {@link #received} on the sending thread (so a tick's sends are there when
 * {@code advance} returns); {@link #next} takes them in order.
 */
final class ScriptedPeer implements AutoCloseable {
    static final IceCredentials PEER = new IceCredentials("peerufrag", "peerpasswordpeerpasswordpeerpass");
    static final byte[] PEER_KEY = StunCredentials.shortTermKey(PEER.password());

    final FakeIceScheduler clock = new FakeIceScheduler();
    final MemoryPacketConn[] link;
    final IceAgent agent;
    final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final Recording base;

    ScriptedPeer(IceRole role, UnaryOperator<IceConfig.Builder> tweak) {
        link = MemoryPacketConn.pair(CandidateTest.addr("10.0.0.1", 5000), CandidateTest.addr("10.0.0.2", 5000));
        base = new Recording(link[0], received);
        agent = IceAgent.create(tweak.apply(IceConfig.builder().scheduler(clock).random(new Random(7))).build(), role,
                List.of(new StaticGatherer(List.of(new LocalCandidate(Harness.host(link[0].localAddress(), 65535),
                        base)), true)));
    }

    /** The agent's base: records every datagram the agent sends, on the sending thread, instead of delivering it. */
    static final class Recording implements PacketConn {
        final MemoryPacketConn inner;
        final LinkedBlockingQueue<byte[]> out;

        Recording(MemoryPacketConn inner, LinkedBlockingQueue<byte[]> out) {
            this.inner = inner;
            this.out = out;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            return inner.receive(batch);
        }

        @Override
        public int send(PacketBatch batch) throws IOException {
            for (int i = 0; i < batch.count(); i++) {
                ByteBuffer b = batch.buffer(i);
                byte[] bytes = new byte[b.remaining()];
                b.get(b.position(), bytes);
                out.add(bytes);
            }
            return batch.count();
        }

        @Override
        public InetSocketAddress localAddress() {
            return inner.localAddress();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    InetSocketAddress agentAddress() {
        return link[0].localAddress();
    }

    InetSocketAddress peerAddress() {
        return link[1].localAddress();
    }

    /** Gathers, gives the agent the peer's credentials and candidate (and end-of-candidates), starts it. */
    ScriptedPeer start() {
        agent.gather();
        agent.setRemoteCredentials(PEER);
        agent.addRemoteCandidate(Harness.host(peerAddress(), 65535));
        agent.endOfRemoteCandidates();
        agent.start();
        return this;
    }

    /** The next STUN message from the agent (10 s real-time deadline), skipping indications when asked. */
    StunMessage next(boolean skipIndications) throws Exception {
        while (true) {
            byte[] b = received.poll(10, TimeUnit.SECONDS);
            if (b == null) {
                throw new AssertionError("the agent sent nothing within 10 s");
            }
            StunMessage m = StunMessage.parse(b);
            if (skipIndications && m.messageClass() == org.cunicu4j.stun.StunClass.INDICATION) {
                continue;
            }
            return m;
        }
    }

    /** The next binding request the agent's timer sends, stepping the fake clock by 10 ms until one comes (max {@code max}). */
    StunMessage nextRequest(Duration max) {
        for (long t = 0; t <= max.toNanos(); t += 10_000_000L) {
            byte[] b;
            while ((b = received.poll()) != null) {
                StunMessage m = parse(b);
                if (m != null && m.messageClass() == org.cunicu4j.stun.StunClass.REQUEST) {
                    return m;
                }
            }
            clock.advance(Duration.ofMillis(10));
        }
        throw new AssertionError("no binding request within " + max + " of fake time");
    }

    private static StunMessage parse(byte[] b) {
        try {
            return StunMessage.parse(b);
        } catch (StunParseException e) {
            return null;
        }
    }

    /** An authenticated success response to {@code request} (XOR-MAPPED-ADDRESS = the agent's address). */
    void answer(StunMessage request) throws IOException {
        send(StunMessage.builder(MessageType.BINDING_SUCCESS, request.transactionId())
                .xorMappedAddress(agentAddress()).messageIntegrity(PEER_KEY).fingerprint().build());
    }

    /** A binding request from the peer, signed with the agent's password unless {@code key} is given. */
    byte[] request(UnaryOperator<StunMessageBuilder> tweak, byte[] key) {
        StunMessageBuilder b = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                .username(agent.localCredentials().ufrag() + ":" + PEER.ufrag())
                .priority(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 65535, 1));
        byte[] k = key != null ? key : StunCredentials.shortTermKey(agent.localCredentials().password());
        return tweak.apply(b).messageIntegrity(k).fingerprint().build();
    }

    void send(byte[] d) throws IOException {
        PacketBatch tx = new PacketBatch(1, 2048);
        tx.buffer(0).clear().put(d).flip();
        tx.setAddress(0, agentAddress());
        tx.setCount(1);
        link[1].send(tx);
    }

    @Override
    public void close() {
        agent.close();
        link[1].close();
    }
}
