package org.cunicu4j.signaling.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.SignalingServer;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresTools({"openssl"})
class GrpcTlsTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void tlsByDefaultTrustingAGivenCaAndRefusingAnUntrustedServer() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Exec.run(Duration.ofSeconds(20), List.of("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=signal.test",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString())).orThrow();
        try (SignalingServer s = SignalingServer.start(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0))
                .withTls(cert, key).withGracePeriod(Duration.ofSeconds(2)))) {
            Key alice = Key.generatePrivate();
            Key bob = Key.generatePrivate();
            String base = "grpc://127.0.0.1:" + s.port();
            try (SignalingBackend trusting = Backends.open(base + "?ca=" + cert);
                 GrpcBackend untrusting = (GrpcBackend) Backends.open(base);
                 GrpcBackend plaintext = (GrpcBackend) Backends.open(base + "?insecure=true")) {
                List<Opened> got = new CopyOnWriteArrayList<>();
                trusting.subscribe(KeyPair.of(bob, alice.publicKey()), got::add).subscribed().get(10, TimeUnit.SECONDS);
                trusting.publish(Message.newBuilder().setCredentials(Credentials.newBuilder().setUfrag("tls")).build(),
                        KeyPair.of(alice, bob.publicKey())).get(10, TimeUnit.SECONDS);
                Waiter.until("the message over TLS", T, () -> got.size() == 1);

                var refused = untrusting.subscribe(KeyPair.wildcard(bob), o -> {});
                var garbled = plaintext.subscribe(KeyPair.wildcard(bob), o -> {});
                Waiter.until("the untrusted and the plaintext client fail and retry", T,
                        () -> untrusting.streamBreaks() >= 1 && plaintext.streamBreaks() >= 1);
                assertThat(refused.subscribed()).isNotDone();
                assertThat(garbled.subscribed()).isNotDone();
                assertThat(untrusting.markers()).isZero();
                assertThat(plaintext.markers()).isZero();
                assertThat(s.stats().subscribers()).isEqualTo(1);
            }
        }
    }
}
