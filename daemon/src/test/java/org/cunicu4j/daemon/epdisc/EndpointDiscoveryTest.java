package org.cunicu4j.daemon.epdisc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.ice.CandidatePairState;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceCredentials;
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
        /** The first event matching this holds up the session that reports it until {@link #release}. */
        volatile Predicate<DaemonEvent> holdOn = e -> false;
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

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
                    this::onEvent, timers, random, InstantSource.system()));
        }

        private void onEvent(DaemonEvent e) {
            events.add(e);
            if (holdOn.test(e)) {
                holdOn = x -> false;
                holding.countDown();
                try {
                    release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
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
        Waiter.until("a's status shows an RTT", WAIT, () -> a.status(b.publicKey).rtt() != null);
        assertThat(a.status(b.publicKey).rtt()).isPositive();
        String secret = a.privateKey.toBase64();
        assertThat(a.status(b.publicKey).toString()).doesNotContain(secret);
        assertThat(a.events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(secret));

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

            // new credentials asking for ours: the peer restarted on its own; ours have not
            // connected yet, so they are kept (no restart) and sent again with our candidates
            int before2 = s.credentials().size();
            int candidatesBefore = s.candidates().size();
            s.send(credentials("ufragTwoTwoTwoTw", "q".repeat(32), true));
            Waiter.until("a answered with the same credentials and its candidates again", WAIT,
                    () -> s.credentials().size() > before2 && s.candidates().size() > candidatesBefore);
            Credentials kept = s.credentials().get(s.credentials().size() - 1).getCredentials();
            assertThat(kept.getNeedCreds()).isFalse();
            assertThat(kept.getUfrag()).isEqualTo(ask.getUfrag());
            assertThat(a.status(s.publicKey).restarts()).isZero();
            assertThat(a.epd.session(s.publicKey).remoteUfrag()).isEqualTo("ufragTwoTwoTwoTw");
            assertThat(a.count(DaemonEvent.Type.PEER_RESTARTED, null)).isZero();

            // changed credentials not asking for ours: the peer's answer to a restart of ours; adopted
            int before3 = s.credentials().size();
            s.send(credentials("ufragThreeThreeT", "r".repeat(32), false));
            s.send(credentials("ufragThreeThreeT", "r".repeat(32), true)); // the same again, now asking
            Waiter.until("answered the second", WAIT, () -> s.credentials().size() > before3);
            assertThat(a.status(s.publicKey).restarts()).as("adopted, then the same again: no restart").isZero();
            assertThat(s.credentials().get(s.credentials().size() - 1).getCredentials().getUfrag())
                    .isEqualTo(ask.getUfrag());
            assertThat(a.epd.session(s.publicKey).remoteUfrag()).isEqualTo("ufragThreeThreeT");
        }
    }

    @Test
    void changedCredentialsAskingForOursRestartUsOnceOursHaveConnected() {
        Node a = new Node("epa14");
        Node b = new Node("epb14");
        connect(a, b);
        String oldUfrag = a.sharing.proxyOf(b.publicKey).agent.localCredentials().ufrag();
        b.epd.restartPeer(a.publicKey);
        Waiter.until("a restarted once, following b", WAIT, () -> a.status(b.publicKey).restarts() == 1
                && a.state(b.publicKey) == ConnectionState.CONNECTED && b.state(a.publicKey) == ConnectionState.CONNECTED);
        assertThat(a.sharing.proxyOf(b.publicKey).agent.localCredentials().ufrag()).isNotEqualTo(oldUfrag);
    }

    @Test
    void lateAndDuplicatedCredentialsOfAReplacedUfragAreDropped() {
        Node a = new Node("epa15");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true));
            Waiter.until("a answered B1", WAIT,
                    () -> s.credentials().stream().anyMatch(m -> !m.getCredentials().getNeedCreds()));
            String ours = a.sharing.proxyOf(s.publicKey).agent.localCredentials().ufrag();
            s.send(credentials("ufragBtwoBtwoBtw", "c".repeat(32), false)); // B1 replaced by B2: adopted
            Waiter.until("a took B2", WAIT,
                    () -> "ufragBtwoBtwoBtw".equals(a.epd.session(s.publicKey).remoteUfrag()));
            int answers = s.credentials().size();

            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), false)); // late copies of B1
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true));
            Waiter.until("both counted as stale", WAIT, () -> a.epd.stats().staleCredentials() == 2);
            assertThat(a.epd.session(s.publicKey).remoteUfrag()).isEqualTo("ufragBtwoBtwoBtw");
            assertThat(a.status(s.publicKey).restarts()).isZero();
            assertThat(a.epd.stats().restarts()).isZero();
            assertThat(a.sharing.proxyOf(s.publicKey).agent.localCredentials().ufrag()).isEqualTo(ours);

            // B2 is still current: asked for, it is answered (and nothing was answered for B1)
            s.send(credentials("ufragBtwoBtwoBtw", "c".repeat(32), true));
            Waiter.until("B2's request answered", WAIT, () -> s.credentials().size() > answers);
            assertThat(s.credentials()).hasSize(answers + 1);
            assertThat(a.epd.stats().staleCredentials()).isEqualTo(2);
        }
    }

    @Test
    void theRemoteUfragHeldAtOurRestartIsTakenAgainButNotOnceReplaced() {
        Node a = new Node("epa16");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true));
            Waiter.until("a checks", WAIT, () -> a.state(s.publicKey) == ConnectionState.CHECKING);
            a.epd.restartPeer(s.publicKey);
            Waiter.until("a restarted", WAIT, () -> a.state(s.publicKey) == ConnectionState.IDLE);
            // the peer answers our restart with the credentials it had: taken
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), false));
            Waiter.until("a checks with B1 again", WAIT, () -> a.state(s.publicKey) == ConnectionState.CHECKING);
            assertThat(a.epd.stats().staleCredentials()).isZero();
            // a restart of ours again, and this time the peer comes back with B2: B1 is retired then
            a.epd.restartPeer(s.publicKey);
            Waiter.until("a restarted again", WAIT, () -> a.status(s.publicKey).restarts() == 2
                    && a.state(s.publicKey) == ConnectionState.IDLE);
            s.send(credentials("ufragBtwoBtwoBtw", "c".repeat(32), false));
            Waiter.until("a took B2", WAIT,
                    () -> "ufragBtwoBtwoBtw".equals(a.epd.session(s.publicKey).remoteUfrag()));
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), false));
            Waiter.until("B1 counted as stale", WAIT, () -> a.epd.stats().staleCredentials() == 1);
            assertThat(a.epd.session(s.publicKey).remoteUfrag()).isEqualTo("ufragBtwoBtwoBtw");
        }
    }

    @Test
    void aCunicuStylePeerThatRestartsOnAnyChangeSettlesWithUs() {
        Node a = new Node("epa17");
        try (CunicuStylePeer c = new CunicuStylePeer(a.backend, a.publicKey, IceConfig.defaults())) {
            a.epd.addPeer(c.publicKey, "cunicu");
            c.start();
            Waiter.until("both CONNECTED", WAIT, () -> a.state(c.publicKey) == ConnectionState.CONNECTED && c.connected());
            IceCredentials b1 = c.credentials();

            // our restart (A2) is held up at the peer; meanwhile a late answer B1 reaches us and is taken
            c.pause();
            a.epd.restartPeer(c.publicKey);
            Waiter.until("the peer holds our request A2", WAIT,
                    () -> c.held().stream().anyMatch(m -> m.hasCredentials() && m.getCredentials().getNeedCreds()));
            Message a2Request = c.held().stream().filter(Message::hasCredentials).findFirst().orElseThrow();
            String a2 = a2Request.getCredentials().getUfrag();
            assertThat(a.sharing.proxyOf(c.publicKey).agent.localCredentials().ufrag()).isEqualTo(a2);
            c.sendCredentials(false);
            Waiter.until("the late B1 taken", WAIT, () -> a.state(c.publicKey) == ConnectionState.CHECKING
                    && b1.ufrag().equals(a.epd.session(c.publicKey).remoteUfrag()));

            // the peer now sees A2 (changed): restarts (B2) and asks with need_creds=true; then our
            // request A2 once more (delivered late), which its new agent takes
            c.resume(a2Request);
            Waiter.until("both CONNECTED again", WAIT, () -> a.state(c.publicKey) == ConnectionState.CONNECTED
                    && c.connected() && c.restarts() >= 1);
            assertThat(a.status(c.publicKey).restarts()).isLessThanOrEqualTo(2);
            assertThat(a.status(c.publicKey).restarts()).as("we kept A2: only our own restart").isEqualTo(1);
            assertThat(a.sharing.proxyOf(c.publicKey).agent.localCredentials().ufrag()).isEqualTo(a2);
            assertThat(c.remote().ufrag()).isEqualTo(a2);
            assertThat(c.restarts()).isEqualTo(1);
            assertThat(a.epd.session(c.publicKey).remoteUfrag()).isEqualTo(c.credentials().ufrag());
        }
    }

    @Test
    void adoptedCredentialsCheckOldFailedPairsAgain() {
        IceConfig quickFail = IceConfig.builder().checkInterval(Duration.ofMillis(20)).maxCheckTransmissions(2)
                .maxRto(Duration.ofMillis(500)).build();
        Node a = new Node("epa18", quickFail, Key.generatePrivate());
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey);
                CunicuStylePeer p = new CunicuStylePeer(a.backend, Key.generatePrivate().publicKey(),
                        IceConfig.defaults())) {
            // p is only an ICE agent here (its signaling goes nowhere); s speaks for it
            p.start();
            IceAgent pa = p.agent();
            pa.gather();
            Waiter.until("p gathered", WAIT, () -> !pa.localCandidates().isEmpty());
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragWrongWrongW", "w".repeat(32), true)); // not p's: p ignores the checks
            pa.localCandidates().forEach(c -> s.send(candidate(c)));
            Waiter.until("a's agent", WAIT, () -> a.sharing.proxyOf(s.publicKey) != null);
            IceAgent agent = a.sharing.proxyOf(s.publicKey).agent;
            Waiter.until("a's pair with p failed", WAIT, () -> !agent.pairStats().isEmpty()
                    && agent.pairStats().stream().allMatch(ps -> ps.state() == CandidatePairState.FAILED));

            // p's real credentials in answer (need_creds=false): adopted; the failed pairs are gone
            s.send(Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag(pa.localCredentials().ufrag())
                    .setPwd(pa.localCredentials().password()).setNeedCreds(false)).build());
            Waiter.until("adopted", WAIT,
                    () -> pa.localCredentials().ufrag().equals(a.epd.session(s.publicKey).remoteUfrag()));
            assertThat(agent.pairStats()).noneMatch(ps -> ps.state() == CandidatePairState.FAILED);
            assertThat(a.status(s.publicKey).restarts()).isZero();

            // the same candidates again are checked again, with p's credentials, and work
            pa.setRemoteCredentials(agent.localCredentials());
            agent.localCandidates().forEach(pa::addRemoteCandidate);
            pa.start();
            pa.localCandidates().forEach(c -> s.send(candidate(c)));
            Waiter.until("a CONNECTED to p", WAIT, () -> a.state(s.publicKey) == ConnectionState.CONNECTED);
            assertThat(agent.pairStats()).anyMatch(ps -> ps.selected() && ps.traffic().responsesReceived() > 0);
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
        Waiter.until("a's session failed and restarted", WAIT, () -> a.status(b.publicKey).restarts() >= 1
                && a.count(DaemonEvent.Type.PEER_RESTARTED, null) >= 1);
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
        IceConfig quickConsent = IceConfig.builder().checkInterval(Duration.ofMillis(50))
                .consentInterval(Duration.ofMillis(250)).keepaliveInterval(Duration.ofMillis(250)).build();
        Node a = new Node("epa10", quickConsent, Key.generatePrivate());
        Node b = new Node("epb10", quickConsent, Key.generatePrivate());
        connect(a, b);
        a.epd.restartPeer(b.publicKey);
        b.epd.restartPeer(a.publicKey);
        Waiter.until("both restarted and CONNECTED again", WAIT,
                () -> a.status(b.publicKey).restarts() >= 1 && b.status(a.publicKey).restarts() >= 1
                        && a.state(b.publicKey) == ConnectionState.CONNECTED
                        && b.state(a.publicKey) == ConnectionState.CONNECTED);
        assertThat(a.status(b.publicKey).restarts()).isLessThanOrEqualTo(2);
        assertThat(b.status(a.publicKey).restarts()).isLessThanOrEqualTo(2);
        assertSettled(a, b);
        // and once more from the other side, one after the other
        int ra = a.status(b.publicKey).restarts();
        int rb = b.status(a.publicKey).restarts();
        b.epd.restartPeer(a.publicKey);
        Waiter.until("both followed b's restart", WAIT,
                () -> a.status(b.publicKey).restarts() == ra + 1 && b.status(a.publicKey).restarts() == rb + 1
                        && a.state(b.publicKey) == ConnectionState.CONNECTED
                        && b.state(a.publicKey) == ConnectionState.CONNECTED);
        assertSettled(a, b);
    }

    /** Restart counts stay put and both stay CONNECTED while four more consent round trips complete on each side. */
    private static void assertSettled(Node a, Node b) {
        int ra = a.status(b.publicKey).restarts();
        int rb = b.status(a.publicKey).restarts();
        long ca = consentResponses(a, b.publicKey);
        long cb = consentResponses(b, a.publicKey);
        Waiter.until("four more consent round trips on each side", WAIT,
                () -> consentResponses(a, b.publicKey) >= ca + 4 && consentResponses(b, a.publicKey) >= cb + 4);
        assertThat(a.status(b.publicKey).restarts()).as("a's restarts, settled").isEqualTo(ra);
        assertThat(b.status(a.publicKey).restarts()).as("b's restarts, settled").isEqualTo(rb);
        assertThat(a.state(b.publicKey)).isEqualTo(ConnectionState.CONNECTED);
        assertThat(b.state(a.publicKey)).isEqualTo(ConnectionState.CONNECTED);
    }

    /** Responses received on the selected pair of {@code n}'s current agent for {@code peer}. */
    private static long consentResponses(Node n, Key peer) {
        return n.sharing.proxyOf(peer).agent.pairStats().stream().filter(p -> p.selected())
                .mapToLong(p -> p.traffic().responsesReceived()).sum();
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
    void syncPeersStartsRenamesAndRemovesSessions() {
        Node a = new Node("epa11");
        Key p1 = Key.generatePrivate().publicKey();
        Key p2 = Key.generatePrivate().publicKey();
        Key p3 = Key.generatePrivate().publicKey();
        assertThat(a.epd.syncPeers(java.util.Map.of(p1, "one", p2, "two"))).containsExactly(2, 0);
        // sessions set up on their worker threads: wait until p1's is attached, so its removal must close it
        Waiter.until("p1's session attached its proxy", WAIT, () -> a.sharing.proxyOf(p1) != null);
        java.util.Map<Key, String> next = new java.util.HashMap<>();
        next.put(p2, "deux");
        next.put(p3, null);
        assertThat(a.epd.syncPeers(next)).containsExactly(1, 1);
        assertThat(a.epd.peers()).containsExactlyInAnyOrder(p2, p3);
        assertThat(a.status(p2).name()).isEqualTo("deux");
        assertThat(a.status(p3).name()).isNull();
        assertThat(a.sharing.proxyOf(p1).closed).isTrue();
        assertThat(a.epd.status()).extracting(PeerSessionStatus::name).containsExactly(null, "deux");
    }

    @Test
    void setupAndProxyErrorsAreShownAndRetried() {
        Node a = new Node("epa12");
        Node b = new Node("epb12");
        a.sharing.failGatherers = true;
        a.sharing.failProxies = true;
        a.epd.addPeer(b.publicKey, "b");
        Waiter.until("a's setup failed twice", WAIT, () -> a.count(DaemonEvent.Type.ERROR, null) >= 2);
        assertThat(a.status(b.publicKey).lastError()).contains("could not set up").contains("no sockets today");
        assertThat(a.sharing.gathererCalls.get()).isGreaterThanOrEqualTo(2);
        a.sharing.failGatherers = false;
        b.epd.addPeer(a.publicKey, "a");
        Waiter.until("both sessions CONNECTED", WAIT, () -> a.state(b.publicKey) == ConnectionState.CONNECTED
                && b.state(a.publicKey) == ConnectionState.CONNECTED);
        Waiter.until("the proxy error is shown", WAIT,
                () -> String.valueOf(a.status(b.publicKey).lastError()).contains("cannot set the endpoint"));
    }

    @Test
    void disconnectedForLongerThanTheFailedTimeoutRestarts() {
        // the agent fails 10 s after its last consent; the session's own timer (on a fake
        // clock here) restarts it when it has been DISCONNECTED for the failed timeout
        IceConfig slowFail = IceConfig.builder().checkInterval(Duration.ofMillis(50))
                .disconnectedTimeout(Duration.ofSeconds(1)).failedTimeout(Duration.ofSeconds(10))
                .consentInterval(Duration.ofMillis(250)).keepaliveInterval(Duration.ofMillis(250)).build();
        LiveTimers timers = new LiveTimers();
        Node a = new Node("epa13", slowFail, Key.generatePrivate(), timers, RandomGenerator.of("L64X128MixRandom"));
        Node b = new Node("epb13", slowFail, Key.generatePrivate());
        connect(a, b);
        b.epd.close();
        Waiter.until("a is DISCONNECTED", WAIT, () -> a.state(b.publicKey) == ConnectionState.DISCONNECTED);
        Waiter.until("the session armed its timer (and no other)", WAIT, () -> timers.live() == 1);
        timers.advance(Duration.ofSeconds(9));
        assertThat(a.status(b.publicKey).restarts()).isZero();
        timers.advance(Duration.ofSeconds(1));
        Waiter.until("a restarted", WAIT, () -> a.status(b.publicKey).restarts() == 1
                && a.count(DaemonEvent.Type.PEER_RESTARTED, null) == 1);
        assertThat(a.events).filteredOn(e -> e.type() == DaemonEvent.Type.PEER_RESTARTED).first()
                .satisfies(e -> assertThat(e.message()).contains("disconnected for longer than the failed timeout"));
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

    @Test
    void aRepeatedRequestWithTheSameCredentialsIsAnsweredWithTheCandidatesAgain() {
        Node a = new Node("epa19");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true));
            Waiter.until("a's agent", WAIT, () -> a.sharing.proxyOf(s.publicKey) != null);
            IceAgent agent = a.sharing.proxyOf(s.publicKey).agent;
            Waiter.until("answered and the candidates trickled", WAIT, () -> answers(s) == 1
                    && !agent.localCandidates().isEmpty() && s.candidates().size() == agent.localCandidates().size());
            int n = agent.localCandidates().size();

            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true)); // asked again: the answer was lost, say
            Waiter.until("answered again, candidates sent again", WAIT,
                    () -> answers(s) == 2 && s.candidates().size() == 2 * n);
            // in order: the answer before the candidates sent after it
            List<Message> got = List.copyOf(s.received);
            int secondAnswer = -1;
            int answersSeen = 0;
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).hasCredentials() && !got.get(i).getCredentials().getNeedCreds() && ++answersSeen == 2) {
                    secondAnswer = i;
                }
            }
            assertThat(got.subList(secondAnswer + 1, got.size())).filteredOn(Message::hasCandidate).hasSize(n);
            assertThat(a.status(s.publicKey).restarts()).isZero();
        }
    }

    @Test
    void localCandidatesOfAnEarlierAgentGenerationAreNotSent() throws Exception {
        Node a = new Node("epa20");
        a.sharing.generations = true;
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            // hold the session up while it reports CHECKING: the agent's candidate events queue behind
            a.holdOn = e -> e.type() == DaemonEvent.Type.PEER_STATE_CHANGED && "CHECKING".equals(e.to());
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true));
            assertThat(a.holding.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            IceAgent agent = a.sharing.proxyOf(s.publicKey).agent;
            Waiter.until("the first generation found", WAIT, () -> !agent.localCandidates().isEmpty());
            long firstPriority = agent.localCandidates().getFirst().priority();
            agent.restart(); // behind the session's back: the first generation is not the agent's any more
            Waiter.until("the second generation found", WAIT, () -> !agent.localCandidates().isEmpty()
                    && agent.localCandidates().getFirst().priority() == firstPriority - 1);
            a.release.countDown();

            Waiter.until("the second generation sent", WAIT, () -> !s.candidates().isEmpty());
            // events go in order, publishes too: had the first generation been sent, it would be first
            assertThat(s.candidates()).allSatisfy(m -> assertThat(m.getCandidate().getPriority())
                    .isEqualTo((int) (firstPriority - 1)));
        }
    }

    @Test
    void remoteCandidatesAreCappedPerRemoteEpoch() {
        Node a = new Node("epa21");
        try (ScriptedPeer s = new ScriptedPeer(a.backend, a.publicKey)) {
            a.epd.addPeer(s.publicKey, null);
            s.send(credentials("ufragBoneBoneBon", "b".repeat(32), true));
            Waiter.until("a checks", WAIT, () -> a.state(s.publicKey) == ConnectionState.CHECKING);
            for (int i = 0; i < 100; i++) {
                s.send(candidate(remoteHost(i)));
            }
            s.send(candidate(remoteHost(0))); // a duplicate: neither taken again nor dropped
            Waiter.until("101 received, 36 dropped", WAIT, () -> a.epd.stats().candidatesReceived() == 101
                    && a.epd.stats().remoteCandidatesDropped() == 36);
            IceAgent agent = a.sharing.proxyOf(s.publicKey).agent;
            Waiter.until("64 remote candidates", WAIT,
                    () -> agent.candidateStats().stream().filter(c -> !c.local()).count() == 64);

            // the peer restarted (changed credentials): a new epoch, new candidates are taken again
            s.send(credentials("ufragBtwoBtwoBtw", "c".repeat(32), true));
            Waiter.until("a took B2", WAIT,
                    () -> "ufragBtwoBtwoBtw".equals(a.epd.session(s.publicKey).remoteUfrag()));
            for (int i = 0; i < 10; i++) {
                s.send(candidate(remoteHost(90 + i)));
            }
            Waiter.until("the new ones taken", WAIT, () -> a.epd.stats().candidatesReceived() == 111
                    && agent.candidateStats().stream().filter(c -> !c.local()).count() == 10);
            assertThat(a.epd.stats().remoteCandidatesDropped()).isEqualTo(36);
        }
    }

    @Test
    void gatherersAreClosedWhenTheAgentCannotBeMade() {
        Node a = new Node("epa22");
        a.sharing.failAgentCreation = true;
        a.epd.addPeer(Key.generatePrivate().publicKey(), null);
        Waiter.until("two attempts failed", WAIT, () -> a.count(DaemonEvent.Type.ERROR, null) >= 2);
        assertThat(a.sharing.gatherersMade).hasSizeGreaterThanOrEqualTo(2);
        Waiter.until("every gatherer of a failed attempt closed", WAIT,
                () -> a.sharing.gatherersMade.stream().filter(g -> !g.closed).count() <= 1); // one may be in the making
        assertThat(a.sharing.gatherersMade.subList(0, 2)).allMatch(g -> g.closed);
    }

    @Test
    void closeTearsTheSessionsDownInParallel() {
        Node a = new Node("epa23");
        int n = 3;
        a.sharing.closeBarrier = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            a.epd.addPeer(Key.generatePrivate().publicKey(), "p" + i);
        }
        Waiter.until("three proxies", WAIT, () -> a.sharing.proxies.size() == n);
        // each proxy's close waits until all three closes began: one after the other, they could not
        a.epd.close();
        assertThat(a.sharing.proxies).allSatisfy(p -> {
            assertThat(p.closed).isTrue();
            assertThat(p.barrierPassed).isTrue();
        });
        assertThat(a.epd.status()).isEmpty();
    }

    private static org.cunicu4j.ice.Candidate remoteHost(int i) {
        java.net.InetSocketAddress addr = new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("127.0.0.1"),
                20000 + i);
        return new org.cunicu4j.ice.Candidate(
                org.cunicu4j.ice.Candidate.foundationOf(CandidateType.HOST, addr.getAddress(), null, null), 1,
                org.cunicu4j.ice.Candidate.priorityOf(CandidateType.HOST, 65535 - i, 1), addr, CandidateType.HOST,
                null, null);
    }

    private static long answers(ScriptedPeer s) {
        return s.credentials().stream().filter(m -> !m.getCredentials().getNeedCreds()).count();
    }

    private static Message candidate(org.cunicu4j.ice.Candidate c) {
        return Message.newBuilder().setCandidate(CandidateCodec.encode(c)).build();
    }

    private static Message credentials(String ufrag, String pwd, boolean need) {
        return Message.newBuilder()
                .setCredentials(Credentials.newBuilder().setUfrag(ufrag).setPwd(pwd).setNeedCreds(need)).build();
    }
}
