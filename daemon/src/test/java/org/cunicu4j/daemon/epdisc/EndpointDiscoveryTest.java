package org.cunicu4j.daemon.epdisc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceScheduler;
import org.cunicu4j.ice.IceState;
import org.cunicu4j.ice.testing.FakeIceScheduler;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.signaling.backend.InProcessBackend;
import org.cunicu4j.signaling.proto.epdisc.Candidate;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointDiscoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger HUBS = new AtomicInteger();

    private final String hub = "epdisc-test-" + ProcessHandle.current().pid() + "-" + HUBS.incrementAndGet();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** One side: its key, backend, port sharing, events and endpoint discovery. */
    private final class Node {
        final Key privateKey;
        final Key publicKey;
        final InProcessBackend backend = track(InProcessBackend.open(hub));
        final LoopbackSharing sharing = new LoopbackSharing();
        final List<DaemonEvent> events = new CopyOnWriteArrayList<>();
        final EndpointDiscovery epd;

        Node(String iface) {
            this(iface, IceConfig.defaults(), Key.generatePrivate());
        }

        Node(String iface, IceConfig ice, Key privateKey) {
            this(iface, ice, privateKey, IceScheduler.system(), RandomGenerator.of("L64X128MixRandom"));
        }

        Node(String iface, IceScheduler timers, RandomGenerator random) {
            this(iface, IceConfig.defaults(), Key.generatePrivate(), timers, random);
        }

        Node(String iface, IceConfig ice, Key privateKey, IceScheduler timers, RandomGenerator random) {
            this.privateKey = privateKey;
            this.publicKey = privateKey.publicKey();
            epd = track(EndpointDiscovery.open(iface, privateKey, backend, sharing, GatherSettings.hostOnly(), ice,
                    events::add, timers, random, InstantSource.system()));
        }

        PeerSessionStatus status(Key peer) {
            return epd.status(peer).orElseThrow();
        }

        ConnectionState state(Key peer) {
            Optional<PeerSessionStatus> s = epd.status(peer);
            return s.isEmpty() ? null : s.get().state();
        }

        long count(DaemonEvent.Type type, String to) {
            return events.stream().filter(e -> e.type() == type && (to == null || to.equals(e.to()))).count();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private void connect(Node a, Node b) {
        a.epd.addPeer(b.publicKey, "b");
        b.epd.addPeer(a.publicKey, "a");
        Waiter.until("both sessions CONNECTED", WAIT, () -> a.state(b.publicKey) == ConnectionState.CONNECTED
                && b.state(a.publicKey) == ConnectionState.CONNECTED);
    }

    @Test
    void twoPeersConnectAndTheirProxiesFollowTheSelectedPair() {
        Node a = new Node("epa0");
        Node b = new Node("epb0");
        connect(a, b);

        Waiter.until("both proxies saw a pair", WAIT, () -> a.sharing.proxyOf(b.publicKey).last() != null
                && b.sharing.proxyOf(a.publicKey).last() != null);
        RecordingProxy pa = a.sharing.proxyOf(b.publicKey);
        RecordingProxy pb = b.sharing.proxyOf(a.publicKey);
        assertThat(pa.agent.role()).isEqualTo(Roles.roleOf(a.publicKey, b.publicKey));
        assertThat(pb.agent.role()).isEqualTo(pa.agent.role().opposite());
        assertThat(pa.last().local().address()).isEqualTo(pb.last().remote().address());

        Waiter.until("a's status shows the pair", WAIT, () -> a.status(b.publicKey).selectedPair() != null);
        PeerSessionStatus s = a.status(b.publicKey);
        assertThat(s.name()).isEqualTo("b");
        assertThat(s.publicKey()).isEqualTo(b.publicKey);
        assertThat(s.proxyMode()).isEqualTo(ProxyMode.USER);
        assertThat(s.proxyReason()).isEqualTo("test");
        assertThat(s.selectedPair().localType()).isEqualTo(CandidateType.HOST);
        assertThat(s.selectedPair().remoteType()).isIn(CandidateType.HOST, CandidateType.PEER_REFLEXIVE);
        assertThat(s.selectedPair().local().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(s.selectedPair().protocol()).isEqualTo("udp");
        assertThat(s.restarts()).isZero();
        assertThat(s.rxBytes()).isZero();
        assertThat(s.lastHandshake()).isNull();

        assertThat(a.count(DaemonEvent.Type.PEER_STATE_CHANGED, "CONNECTED")).isEqualTo(1);
        assertThat(a.count(DaemonEvent.Type.SELECTED_PAIR_CHANGED, null)).isGreaterThanOrEqualTo(1);
        assertThat(a.events).allSatisfy(e -> assertThat(e.iface()).isEqualTo("epa0"));
        EndpointDiscoveryStats st = a.epd.stats();
        assertThat(st.credentialsSent()).isGreaterThanOrEqualTo(1);
        assertThat(st.credentialsReceived()).isGreaterThanOrEqualTo(1);
        assertThat(st.candidatesSent()).isGreaterThanOrEqualTo(1);
        assertThat(st.candidatesReceived()).isGreaterThanOrEqualTo(1);
        assertThat(st.malformed()).isZero();
        assertThat(st.restarts()).isZero();
    }

    @Test
    void restartOnOneSideIsFollowedByTheOtherAndBothReconnect() {
        Node a = new Node("epa1");
        Node b = new Node("epb1");
        connect(a, b);

        assertThat(a.epd.restartPeer(b.publicKey)).isTrue();
        Waiter.until("both restarted once and CONNECTED again", WAIT,
                () -> a.status(b.publicKey).restarts() == 1 && b.status(a.publicKey).restarts() == 1
                        && a.state(b.publicKey) == ConnectionState.CONNECTED
                        && b.state(a.publicKey) == ConnectionState.CONNECTED);
        assertThat(a.count(DaemonEvent.Type.PEER_RESTARTED, "1")).isEqualTo(1);
        assertThat(b.count(DaemonEvent.Type.PEER_RESTARTED, "1")).isEqualTo(1);
        assertThat(b.events).filteredOn(e -> e.type() == DaemonEvent.Type.PEER_RESTARTED)
                .allSatisfy(e -> assertThat(e.message()).contains("new credentials"));
        assertThat(a.sharing.proxyOf(b.publicKey).agent.state().isConnected()).isTrue();
        assertThat(a.epd.stats().restarts()).isEqualTo(1);
        assertThat(a.epd.restartPeer(Key.generatePrivate().publicKey())).isFalse();
    }

    @Test
    void aPeerAddedLaterIsReachedAndEarlyMessagesCountAsUnknown() {
        Node a = new Node("epa2");
        Node b = new Node("epb2");
        a.epd.addPeer(b.publicKey, null);
        Waiter.until("b counted a's credentials as from an unknown sender", WAIT,
                () -> b.epd.stats().unknownSender() >= 1);
        b.epd.addPeer(a.publicKey, null);
        Waiter.until("both sessions CONNECTED", WAIT, () -> a.state(b.publicKey) == ConnectionState.CONNECTED
                && b.state(a.publicKey) == ConnectionState.CONNECTED);
        assertThat(b.count(DaemonEvent.Type.SIGNALING, null)).isEqualTo(1);
    }

    @Test
    void needCredsIsAnsweredAndChangedRemoteCredentialsRestartTheSession() {
        Node a = new Node("epa3");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, "scripted");
            Waiter.until("a asks for credentials", WAIT, () -> !s.credentials().isEmpty());
            Credentials ask = s.credentials().get(0).getCredentials();
            assertThat(ask.getNeedCreds()).isTrue();
            assertThat(ask.getUfrag()).hasSize(16).matches("[a-zA-Z]+");
            assertThat(ask.getPwd()).hasSize(32).matches("[a-zA-Z]+");
            assertThat(a.state(s.publicKey)).isEqualTo(ConnectionState.IDLE);

            s.send(credentials("ufragOneOneOneOn", "p".repeat(32), true));
            Waiter.until("a answers need_creds", WAIT,
                    () -> s.credentials().stream().anyMatch(m -> !m.getCredentials().getNeedCreds()));
            Credentials answer = s.credentials().stream().filter(m -> !m.getCredentials().getNeedCreds()).findFirst()
                    .orElseThrow().getCredentials();
            assertThat(answer.getUfrag()).isEqualTo(ask.getUfrag());
            Waiter.until("a is checking and trickled a candidate", WAIT,
                    () -> a.state(s.publicKey) == ConnectionState.CHECKING
                            && s.received.stream().anyMatch(Message::hasCandidate));
            Candidate trickled = s.received.stream().filter(Message::hasCandidate).findFirst().orElseThrow().getCandidate();
            assertThat(CandidateCodec.decode(trickled).ok()).isTrue();
            assertThat(trickled.getAddress()).isEqualTo("127.0.0.1");
            assertThat(a.status(s.publicKey).restarts()).isZero();

            // the same credentials again (a lost answer): answered, no restart
            int before = s.credentials().size();
            s.send(credentials("ufragOneOneOneOn", "p".repeat(32), true));
            Waiter.until("answered again", WAIT, () -> s.credentials().size() > before);
            assertThat(a.status(s.publicKey).restarts()).isZero();

            // new credentials asking for ours: the peer restarted on its own
            int before2 = s.credentials().size();
            s.send(credentials("ufragTwoTwoTwoTw", "q".repeat(32), true));
            Waiter.until("a restarted and sent its new credentials", WAIT,
                    () -> a.status(s.publicKey).restarts() == 1 && s.credentials().size() > before2);
            Credentials renewed = s.credentials().get(s.credentials().size() - 1).getCredentials();
            assertThat(renewed.getNeedCreds()).isFalse();
            assertThat(renewed.getUfrag()).isNotEqualTo(ask.getUfrag());
            assertThat(a.sharing.proxyOf(s.publicKey).agent.localCredentials().ufrag()).isEqualTo(renewed.getUfrag());
            Waiter.until("a checks again with the new remote credentials", WAIT,
                    () -> a.state(s.publicKey) == ConnectionState.CHECKING);
            assertThat(a.count(DaemonEvent.Type.PEER_RESTARTED, "1")).isEqualTo(1);

            // changed credentials not asking for ours: the peer's answer to a restart of ours; adopted
            int before3 = s.credentials().size();
            s.send(credentials("ufragThreeThreeT", "r".repeat(32), false));
            s.send(credentials("ufragThreeThreeT", "r".repeat(32), true)); // the same again, now asking
            Waiter.until("answered the second", WAIT, () -> s.credentials().size() > before3);
            assertThat(a.status(s.publicKey).restarts()).as("adopted, then the same again: no restart").isEqualTo(1);
            assertThat(s.credentials().get(s.credentials().size() - 1).getCredentials().getUfrag())
                    .isEqualTo(renewed.getUfrag());
        }
    }

    @Test
    void aFailedSessionRestartsAndAPeerDaemonRestartedWithTheSameKeyReconnects() {
        IceConfig quick = IceConfig.builder().checkInterval(Duration.ofMillis(50))
                .disconnectedTimeout(Duration.ofSeconds(1)).failedTimeout(Duration.ofSeconds(2))
                .consentInterval(Duration.ofMillis(250)).keepaliveInterval(Duration.ofMillis(250)).build();
        Node a = new Node("epa8", quick, Key.generatePrivate());
        Node b = new Node("epb8", quick, Key.generatePrivate());
        connect(a, b);

        b.epd.close(); // the peer's daemon dies
        Waiter.until("a's session failed and restarted", WAIT, () -> a.status(b.publicKey).restarts() >= 1);
        assertThat(a.count(DaemonEvent.Type.PEER_STATE_CHANGED, "DISCONNECTED")).isGreaterThanOrEqualTo(1);
        assertThat(a.count(DaemonEvent.Type.PEER_STATE_CHANGED, "FAILED")).isGreaterThanOrEqualTo(1);
        assertThat(a.events).filteredOn(e -> e.type() == DaemonEvent.Type.PEER_RESTARTED).first()
                .satisfies(e -> assertThat(e.message()).contains("ICE failed"));
        Waiter.until("a waits for the peer's credentials", WAIT, () -> a.state(b.publicKey) == ConnectionState.IDLE);
        RecordingProxy pa = a.sharing.proxyOf(b.publicKey);
        Waiter.until("a's proxy was told the pair is gone", WAIT, () -> pa.pairs.contains(RecordingProxy.NONE));

        Node b2 = new Node("epb8", quick, b.privateKey); // restarted with the same key
        b2.epd.addPeer(a.publicKey, "a");
        Waiter.until("both CONNECTED again", WAIT, () -> a.state(b.publicKey) == ConnectionState.CONNECTED
                && b2.state(a.publicKey) == ConnectionState.CONNECTED);
        Waiter.until("a's proxy has a pair again", WAIT, () -> pa.last() != null);
    }

    @Test
    void aLateAnswerFromBeforeOurRestartDoesNotStartARestartLoop() {
        Node a = new Node("epa9");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragOldOldOldOl", "o".repeat(32), true));
            Waiter.until("a checks", WAIT, () -> a.state(s.publicKey) == ConnectionState.CHECKING);

            assertThat(a.epd.restartPeer(s.publicKey)).isTrue();
            Waiter.until("a restarted and asks again", WAIT, () -> a.status(s.publicKey).restarts() == 1
                    && a.state(s.publicKey) == ConnectionState.IDLE);
            // the late answer from before our restart, then the peer's restart in answer to ours
            s.send(credentials("ufragOldOldOldOl", "o".repeat(32), false));
            s.send(credentials("ufragNewNewNewNe", "n".repeat(32), false));
            int before = s.credentials().size();
            s.send(credentials("ufragNewNewNewNe", "n".repeat(32), true));
            Waiter.until("the last one answered", WAIT, () -> s.credentials().size() > before
                    && !s.credentials().get(s.credentials().size() - 1).getCredentials().getNeedCreds());
            assertThat(a.status(s.publicKey).restarts()).isEqualTo(1);
            assertThat(a.state(s.publicKey)).isEqualTo(ConnectionState.CHECKING);
        }
    }

    @Test
    void restartsOnBothSidesAtOnceSettle() {
        Node a = new Node("epa10");
        Node b = new Node("epb10");
        connect(a, b);
        a.epd.restartPeer(b.publicKey);
        b.epd.restartPeer(a.publicKey);
        Waiter.until("both restarted and CONNECTED again", WAIT,
                () -> a.status(b.publicKey).restarts() >= 1 && b.status(a.publicKey).restarts() >= 1
                        && a.state(b.publicKey) == ConnectionState.CONNECTED
                        && b.state(a.publicKey) == ConnectionState.CONNECTED);
        assertThat(a.status(b.publicKey).restarts()).isLessThanOrEqualTo(2);
        assertThat(b.status(a.publicKey).restarts()).isLessThanOrEqualTo(2);
        // and once more from the other side, one after the other
        int ra = a.status(b.publicKey).restarts();
        int rb = b.status(a.publicKey).restarts();
        b.epd.restartPeer(a.publicKey);
        Waiter.until("both followed b's restart", WAIT,
                () -> a.status(b.publicKey).restarts() == ra + 1 && b.status(a.publicKey).restarts() == rb + 1
                        && a.state(b.publicKey) == ConnectionState.CONNECTED
                        && b.state(a.publicKey) == ConnectionState.CONNECTED);
    }

    @Test
    void messagesFromUnknownKeysAreIgnoredAndCounted() {
        Node a = new Node("epa4");
        try (ScriptedPeer stranger = new ScriptedPeer(a.backend, a.publicKey)) {
            for (int i = 0; i < 3; i++) {
                stranger.send(credentials("ufragStrangerStr", "s".repeat(32), true));
            }
            Waiter.until("three unknown-sender messages counted", WAIT, () -> a.epd.stats().unknownSender() == 3);
            assertThat(a.epd.status()).isEmpty();
            assertThat(a.epd.peers()).isEmpty();
            assertThat(a.count(DaemonEvent.Type.SIGNALING, null)).isEqualTo(1);
            assertThat(a.events.get(0).peer()).isEqualTo(stranger.publicKey);
            assertThat(a.events.get(0).message()).contains("not a peer");
            assertThat(a.epd.stats().credentialsReceived()).isZero();
        }
    }

    @Test
    void malformedMessagesAreDroppedAndCounted() {
        Node a = new Node("epa5");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            s.send(Message.newBuilder().setCandidate(Candidate.newBuilder()
                    .setType(org.cunicu4j.signaling.proto.epdisc.CandidateType.HOST)
                    .setNetworkType(org.cunicu4j.signaling.proto.epdisc.NetworkType.UDP4).setFoundation("1")
                    .setComponent(1).setPriority(100).setAddress("peer.local").setPort(4000)).build());
            s.send(credentials("", "x".repeat(32), true));
            s.send(Message.getDefaultInstance());
            Waiter.until("two malformed and one ignored message counted", WAIT,
                    () -> a.epd.stats().malformed() == 2 && a.epd.stats().ignored() == 1);
            assertThat(a.epd.stats().credentialsReceived()).isZero();
            assertThat(a.epd.stats().candidatesReceived()).isZero();
            assertThat(a.state(s.publicKey)).isEqualTo(ConnectionState.IDLE);
        }
    }

    @Test
    void removePeerClosesAgentAndProxy() {
        Node a = new Node("epa6");
        Node b = new Node("epb6");
        connect(a, b);
        RecordingProxy proxy = a.sharing.proxyOf(b.publicKey);

        assertThat(a.epd.removePeer(b.publicKey)).isTrue();
        assertThat(proxy.closed).isTrue();
        assertThat(proxy.agent.state()).isEqualTo(IceState.CLOSED);
        assertThat(a.epd.status()).isEmpty();
        assertThat(a.count(DaemonEvent.Type.PEER_STATE_CHANGED, "CLOSED")).isEqualTo(1);
        assertThat(a.epd.removePeer(b.publicKey)).isFalse();
        assertThat(a.epd.restartPeer(b.publicKey)).isFalse();
        // b's messages to a now come from an unknown sender
        b.epd.restartPeer(a.publicKey);
        Waiter.until("b's new credentials counted as unknown at a", WAIT, () -> a.epd.stats().unknownSender() >= 1);
    }

    @Test
    void credentialsAreResentOnTheBackoffScheduleUntilAnswered() {
        FakeIceScheduler clock = new FakeIceScheduler();
        RandomGenerator middle = () -> Long.MIN_VALUE; // nextDouble() == 0.5: no jitter
        Node a = new Node("epa7", clock, middle);
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            Waiter.until("first send and a timer", WAIT, () -> a.epd.stats().credentialsSent() == 1 && clock.pending() == 1);
            double nominalNanos = 5e8; // computed as CredentialsBackoff does, so the doubles agree
            for (int n = 2; n <= 16; n++) {
                long delayNanos = (long) Math.min(nominalNanos, 60e9);
                clock.advance(Duration.ofNanos(delayNanos - 1));
                assertThat(a.epd.stats().credentialsSent()).as("before resend %d", n).isEqualTo(n - 1);
                clock.advance(Duration.ofNanos(1));
                int expected = n;
                Waiter.until("resend " + n + " after " + delayNanos + " ns", WAIT,
                        () -> a.epd.stats().credentialsSent() == expected && clock.pending() == 1);
                nominalNanos = Math.min(nominalNanos * 1.5, 60e9);
                if (n == 16) {
                    assertThat(delayNanos).as("capped at one minute").isEqualTo(60_000_000_000L);
                }
            }
            Waiter.until("s received the requests", WAIT, () -> s.credentials().size() == 16);
            assertThat(s.credentials()).allSatisfy(m -> assertThat(m.getCredentials().getNeedCreds()).isTrue());

            s.send(credentials("ufragAnswerAnswe", "a".repeat(32), false));
            Waiter.until("a took the answer", WAIT, () -> a.state(s.publicKey) != ConnectionState.IDLE);
            clock.advance(Duration.ofMinutes(5));
            assertThat(a.epd.stats().credentialsSent()).isEqualTo(16);
        }
    }

    private static Message credentials(String ufrag, String pwd, boolean need) {
        return Message.newBuilder()
                .setCredentials(Credentials.newBuilder().setUfrag(ufrag).setPwd(pwd).setNeedCreds(need)).build();
    }
}
