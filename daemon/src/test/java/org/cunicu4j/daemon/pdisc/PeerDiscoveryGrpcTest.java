package org.cunicu4j.daemon.pdisc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.signaling.grpc.GrpcBackend;
import org.cunicu4j.signaling.grpc.GrpcBackendOptions;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.SignalingServer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three members, each with its own gRPC client, through a real signaling server on loopback. */
class PeerDiscoveryGrpcTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Key community = Key.generatePrivate();
    private SignalingServer server;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        cleanup.add(c);
        return c;
    }

    private final class Member {
        final String name;
        Key privateKey = Key.generatePrivate();
        final RecordingSink sink = new RecordingSink();
        final PeerDiscovery pd;

        Member(String name) {
            this.name = name;
            GrpcBackend backend = track(GrpcBackend.open(GrpcBackendOptions.insecure("127.0.0.1", server.port())
                    .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400))));
            PeerDiscovery.Settings s = new PeerDiscovery.Settings(community, name, List.of(), List.of(), Map.of(),
                    KeyFilter.ALL);
            pd = track(PeerDiscovery.start("wg-" + name, privateKey, s, backend, sink, PeerDiscoveryTest::derive));
            pd.subscribed().join();
        }

        Key publicKey() {
            return privateKey.publicKey();
        }
    }

    private static void awaitPeers(Member m, Member... expected) {
        Set<Key> keys = new HashSet<>();
        for (Member e : expected) {
            keys.add(e.publicKey());
        }
        Waiter.until(m.name + " has exactly " + keys.size() + " peers", WAIT, () -> m.sink.peers.keySet().equals(keys));
    }

    @Test
    void discoverLeaveAndRotateThroughARealServer() {
        server = track(SignalingServer.start(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0))
                .withGracePeriod(Duration.ofSeconds(1))));
        Member a = new Member("alpha");
        Member b = new Member("bravo");
        Member c = new Member("charlie");
        awaitPeers(a, b, c);
        awaitPeers(b, a, c);
        awaitPeers(c, a, b);
        assertThat(a.sink.peers.get(c.publicKey()).allowedIps())
                .containsExactly(new IpPrefix(PeerDiscoveryTest.derive(c.publicKey()).get(0), 32),
                        new IpPrefix(PeerDiscoveryTest.derive(c.publicKey()).get(1), 128));

        Key oldB = b.publicKey();
        b.privateKey = Key.generatePrivate();
        b.pd.keyChanged(b.privateKey);
        awaitPeers(a, b, c);
        awaitPeers(c, a, b);
        assertThat(a.sink.has(oldB)).isFalse();

        c.pd.close();
        awaitPeers(a, b);
        awaitPeers(b, a);
        for (Member m : List.of(a, b)) {
            PeerDiscoveryStats s = m.pd.stats();
            assertThat(s.forged() + s.malformed() + s.sinkErrors() + s.publishErrors()).as(m.name).isZero();
        }
        assertThat(a.pd.stats().rotated()).isEqualTo(1);
    }
}
