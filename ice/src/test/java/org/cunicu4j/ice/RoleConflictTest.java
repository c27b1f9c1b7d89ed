package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.ice.testing.FakeIceScheduler;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.ErrorCode;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunClass;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.TransactionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 8445 §7.3.1.1 and §7.2.5.1 against a scripted peer: 487 sent, 487 received, roles switched both ways. */
class RoleConflictTest {

    private static final IceCredentials PEER = new IceCredentials("peerufrag", "peerpasswordpeerpasswordpeerpass");

    private final FakeIceScheduler clock = new FakeIceScheduler();
    private MemoryPacketConn[] link;
    private IceAgent agent;
    private final PacketBatch rx = new PacketBatch(1, 2048);

    @BeforeEach
    void setUp() {
        link = MemoryPacketConn.pair(CandidateTest.addr("10.0.0.1", 5000), CandidateTest.addr("10.0.0.2", 5000));
        agent = IceAgent.create(IceConfig.builder().scheduler(clock).random(new Random(31)).build(), IceRole.CONTROLLING,
                List.of(new StaticGatherer(List.of(new LocalCandidate(
                        Harness.host(link[0].localAddress(), 65535), link[0])), true)));
        agent.gather();
    }

    @AfterEach
    void tearDown() {
        agent.close();
        link[1].close();
    }

    @Test
    void controllingAgentAnswers487ToASmallerTieBreakerAndYieldsToALargerOne() throws Exception {
        StunMessage r1 = exchange(request(b -> b.iceControlling(0)));
        assertThat(r1.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        assertThat(r1.errorCode().orElseThrow().code()).isEqualTo(ErrorCode.ROLE_CONFLICT);
        assertThat(r1.verifyMessageIntegrity(StunCredentials.shortTermKey(agent.localCredentials().password()))).isTrue();
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLING);

        StunMessage r2 = exchange(request(b -> b.iceControlling(-1L))); // 2^64-1 unsigned: always larger
        assertThat(r2.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(r2.xorMappedAddress()).contains(link[1].localAddress());
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);

        // now controlled: a controlled peer with a smaller tie-breaker makes us controlling again
        StunMessage r3 = exchange(request(b -> b.iceControlled(0)));
        assertThat(r3.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLING);
        // and a controlled peer with the larger one while we are controlled gets 487
        exchange(request(b -> b.iceControlling(-1L)));
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);
        StunMessage r4 = exchange(request(b -> b.iceControlled(-1L)));
        assertThat(r4.errorCode().orElseThrow().code()).isEqualTo(ErrorCode.ROLE_CONFLICT);
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLED);
        assertThat(agent.counters().roleConflicts()).isEqualTo(5);
    }

    @Test
    void a487ResponseSwitchesTheRoleAndTheCheckIsRetriedInTheOther() throws Exception {
        agent.setRemoteCredentials(PEER);
        agent.addRemoteCandidate(Harness.host(link[1].localAddress(), 65535));
        agent.start();
        clock.advance(Duration.ofMillis(10));
        StunMessage check = receive();
        assertThat(check.iceControlling()).isPresent();
        assertThat(check.username()).contains(PEER.ufrag() + ":" + agent.localCredentials().ufrag());
        assertThat(check.verifyMessageIntegrity(StunCredentials.shortTermKey(PEER.password()))).isTrue();
        assertThat(check.verifyFingerprint()).isTrue();
        assertThat(check.priority()).isPresent();
        send(StunMessage.builder(MessageType.BINDING_ERROR, check.transactionId())
                .errorCode(ErrorCode.ROLE_CONFLICT, "Role Conflict")
                .messageIntegrity(StunCredentials.shortTermKey(PEER.password())).fingerprint().build());
        waitFor(() -> agent.role() == IceRole.CONTROLLED);
        clock.advance(Duration.ofMillis(200));
        StunMessage retry = receive();
        assertThat(retry.iceControlled()).isPresent();
        assertThat(retry.transactionId()).isNotEqualTo(check.transactionId());
        // the controlled agent answers the peer's check nominating the pair; its own check succeeds: selected
        StunMessage ok = StunMessage.builder(MessageType.BINDING_SUCCESS, retry.transactionId())
                .xorMappedAddress(link[0].localAddress())
                .messageIntegrity(StunCredentials.shortTermKey(PEER.password())).fingerprint().buildMessage();
        send(ok.toBytes());
        StunMessage resp = exchange(request(b -> b.iceControlling(-1L).useCandidate()));
        assertThat(resp.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        waitFor(() -> agent.state().isConnected());
        assertThat(agent.selectedPair().orElseThrow().remote().address()).isEqualTo(link[1].localAddress());
    }

    private interface Tweak {
        StunMessageBuilder apply(StunMessageBuilder b);
    }

    private byte[] request(Tweak t) {
        StunMessageBuilder b = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                .username(agent.localCredentials().ufrag() + ":" + PEER.ufrag())
                .priority(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 65535, 1));
        return t.apply(b).messageIntegrity(StunCredentials.shortTermKey(agent.localCredentials().password()))
                .fingerprint().build();
    }

    private StunMessage exchange(byte[] request) throws Exception {
        send(request);
        StunMessage r = receive();
        assertThat(r.transactionId()).isEqualTo(StunMessage.parse(request).transactionId());
        return r;
    }

    private void send(byte[] d) throws Exception {
        PacketBatch tx = new PacketBatch(1, 2048);
        tx.buffer(0).clear().put(d).flip();
        tx.setAddress(0, link[0].localAddress());
        tx.setCount(1);
        link[1].send(tx);
    }

    /** The next STUN message the agent sends (skipping nothing: the agent sends only what the test provokes). */
    private StunMessage receive() throws Exception {
        CompletableFuture<StunMessage> f = CompletableFuture.supplyAsync(() -> {
            try {
                link[1].receive(rx);
                ByteBuffer b = rx.buffer(0);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return StunMessage.parse(bytes);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    private static void waitFor(java.util.function.BooleanSupplier c) {
        org.cunicu4j.testlab.Waiter.until("condition", Duration.ofSeconds(10), c);
    }
}
