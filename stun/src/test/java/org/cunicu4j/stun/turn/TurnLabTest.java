package org.cunicu4j.stun.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.stun.url.Transport;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * The TURN client against coturn: alice, behind NAT A, allocates on the public server; bob,
 * behind NAT B, talks to her relayed address; the data goes through the allocation via
 * permissions (Send/Data) and via a channel (ChannelData).
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "ss", "turnserver", "openssl"})
class TurnLabTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void udpRelaysThroughPermissionsAndAChannel() throws Exception {
        relayBetweenAliceAndBob(Transport.UDP, false);
    }

    @Test
    void tcpRelaysThroughPermissionsAndAChannel() throws Exception {
        relayBetweenAliceAndBob(Transport.TCP, false);
    }

    @Test
    void tlsRelaysThroughPermissionsAndAChannel() throws Exception {
        relayBetweenAliceAndBob(Transport.TLS, true);
    }

    private void relayBetweenAliceAndBob(Transport transport, boolean tls) throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC);
            Coturn.Builder b = Coturn.builder(t.server()).listen(Topology.SERVER_IP).user("alice", "wonderland")
                    .extraArgs("--verbose"); // logs each refresh, the deallocation too
            Coturn coturn = (tls ? b.tls() : b).start();
            int port = tls ? coturn.tlsPort() : coturn.port();
            TurnConfig.Builder cfg = TurnConfig.builder(new InetSocketAddress(coturn.ip(), port), transport)
                    .credentials("alice", "wonderland").requestTimeout(WAIT);
            if (tls) {
                cfg.sslContext(TlsTrust.trusting(coturn.certFile()));
            }
            try (Allocation alice = NetNs.call(t.alice().netns(), () -> TurnClient.allocate(cfg.build()));
                    PacketConn bob = NetNs.call(t.bob().netns(),
                            () -> UdpPacketConn.open(new InetSocketAddress("0.0.0.0", 0)))) {
                assertThat(alice.relayedAddress().getAddress().getHostAddress()).isEqualTo(Topology.SERVER_IP);
                assertThat(alice.mappedAddress()).get().extracting(a -> a.getAddress().getHostAddress())
                        .isEqualTo(t.natA().outsideIp());
                assertThat(alice.server()).endsWith("(" + transport.id() + ")");

                // permissions: Send and Data indications
                alice.createPermission(InetAddress.getByName(t.natB().outsideIp()));
                send(bob, alice.relayedAddress(), "hello alice");
                Received fromBob = receive(alice);
                assertThat(fromBob.text()).isEqualTo("hello alice");
                assertThat(fromBob.from().getAddress().getHostAddress()).isEqualTo(t.natB().outsideIp());
                send(alice, fromBob.from(), "hello bob");
                Received fromAlice = receive(bob);
                assertThat(fromAlice.text()).isEqualTo("hello bob");
                assertThat(fromAlice.from()).isEqualTo(alice.relayedAddress());
                assertThat(alice.stats().dataIndications()).isEqualTo(1);
                assertThat(alice.stats().sendIndications()).isEqualTo(1);

                // a channel: ChannelData both ways
                int channel = alice.bindChannel(fromBob.from());
                assertThat(channel).isBetween(0x4000, 0x4FFF);
                send(alice, fromBob.from(), "on the channel");
                assertThat(receive(bob).text()).isEqualTo("on the channel");
                send(bob, alice.relayedAddress(), "back on the channel");
                Received back = receive(alice);
                assertThat(back.text()).isEqualTo("back on the channel");
                assertThat(back.from()).isEqualTo(fromBob.from());
                assertThat(alice.stats().channelDataSent()).isEqualTo(1);
                assertThat(alice.stats().channelDataReceived()).isEqualTo(1);
                assertThat(alice.stats().malformed()).isZero();
            }
            Waiter.until("coturn logs the deallocation", WAIT,
                    () -> log(coturn).contains("refreshed, realm=<lab>, username=<alice>, lifetime=0"));
        }
    }

    @Test
    void aStaleNonceIsRecoveredFrom() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn coturn = Coturn.builder(t.server()).listen(Topology.SERVER_IP).user("alice", "wonderland")
                    .extraArgs("--stale-nonce=1").start();
            TurnConfig cfg = TurnConfig.builder(new InetSocketAddress(coturn.ip(), coturn.port()), Transport.UDP)
                    .credentials("alice", "wonderland").requestTimeout(WAIT)
                    .permissionRefresh(Duration.ofMillis(700)).build();
            try (Allocation alice = NetNs.call(t.alice().netns(), () -> TurnClient.allocate(cfg));
                    PacketConn bob = NetNs.call(t.bob().netns(),
                            () -> UdpPacketConn.open(new InetSocketAddress("0.0.0.0", 0)))) {
                alice.createPermission(InetAddress.getByName(t.natB().outsideIp()));
                Waiter.until("a permission refresh after the 1 s nonce went stale", Duration.ofSeconds(8),
                        () -> alice.stats().staleNonces() >= 1 && alice.stats().permissionRefreshes() >= 2);
                assertThat(alice.failure()).isEmpty();
                send(bob, alice.relayedAddress(), "still there?");
                assertThat(receive(alice).text()).isEqualTo("still there?");
            }
        }
    }

    @Test
    void aWrongPasswordIsRejectedByNameAndAnUnreachableServerTimesOut() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT);
            Coturn coturn = Coturn.start(t.server(), Topology.SERVER_IP, 3478, "lab", "alice", "wonderland");
            TurnConfig wrong = TurnConfig.builder(new InetSocketAddress(coturn.ip(), coturn.port()), Transport.UDP)
                    .credentials("alice", "looking-glass").requestTimeout(WAIT).build();
            assertThatThrownBy(() -> NetNs.call(t.alice().netns(), () -> TurnClient.allocate(wrong)))
                    .isInstanceOfSatisfying(TurnException.class,
                            e -> assertThat(e.kind()).isEqualTo(TurnException.Kind.UNAUTHORIZED))
                    .hasMessage("TURN server 198.18.0.10:3478 (udp) rejected the credentials for user \"alice\" "
                            + "at realm \"lab\" (401 Unauthorized)");

            TurnConfig nowhere = TurnConfig.builder(new InetSocketAddress("198.18.0.99", 3478), Transport.UDP)
                    .credentials("alice", "wonderland").rto(Duration.ofMillis(100))
                    .requestTimeout(Duration.ofSeconds(1)).build();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> NetNs.call(t.alice().netns(), () -> TurnClient.allocate(nowhere)))
                    .isInstanceOfSatisfying(TurnException.class,
                            e -> assertThat(e.kind()).isEqualTo(TurnException.Kind.TIMEOUT))
                    .hasMessageStartingWith("TURN server 198.18.0.99:3478 (udp) did not answer the Allocate request"
                            + " within 1 s (");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        }
    }

    private record Received(String text, InetSocketAddress from) {}

    private static void send(PacketConn conn, InetSocketAddress to, String text) throws IOException {
        PacketBatch b = new PacketBatch(1, 2048);
        b.buffer(0).put(text.getBytes(StandardCharsets.UTF_8)).flip();
        b.setAddress(0, to);
        b.setCount(1);
        conn.send(b);
    }

    private static Received receive(PacketConn conn) throws Exception {
        PacketBatch b = new PacketBatch(1, 2048);
        CompletableFuture<Received> f = CompletableFuture.supplyAsync(() -> {
            try {
                conn.receive(b);
                return new Received(StandardCharsets.UTF_8.decode(b.buffer(0)).toString(), b.address(0));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            conn.close();
            throw new AssertionError("nothing received on " + conn + " within " + WAIT, e);
        }
    }

    private static String log(Coturn coturn) {
        try {
            return java.nio.file.Files.readString(coturn.logFile());
        } catch (IOException e) {
            return "";
        }
    }
}
