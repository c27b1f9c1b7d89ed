package org.cunicu4j.signaling.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.SealStats;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void parsesGrpcUrl() {
        BackendUrl url = BackendUrl.parse("grpc://signal.example.org:8080?insecure=true");
        assertThat(url.scheme()).isEqualTo("grpc");
        assertThat(url.requireHost()).isEqualTo("signal.example.org");
        assertThat(url.requirePort()).isEqualTo(8080);
        assertThat(url.flag("insecure", false)).isTrue();
        assertThat(url.params()).isEqualTo(Map.of("insecure", "true"));
        assertThat(url.toString()).isEqualTo("grpc://signal.example.org:8080?insecure=true");
    }

    @Test
    void parsesIpv6MulticastUrlWithInterface() {
        BackendUrl url = BackendUrl.parse("multicast://[ff02::114]:7946?interface=eth0");
        assertThat(url.requireHost()).isEqualTo("ff02::114");
        assertThat(url.requirePort()).isEqualTo(7946);
        assertThat(url.param("interface")).contains("eth0");
        assertThat(BackendUrl.parse("MULTICAST://239.0.0.1:7946").scheme()).isEqualTo("multicast");
    }

    @Test
    void parsesOpaqueInprocessUrls() {
        assertThat(BackendUrl.parse("inprocess:").opaque()).isEmpty();
        assertThat(BackendUrl.parse("inprocess:lab").opaque()).isEqualTo("lab");
        assertThat(BackendUrl.parse("inprocess:lab?x=1").params()).containsEntry("x", "1");
    }

    @Test
    void flagsAreStrict() {
        BackendUrl url = BackendUrl.parse("grpc://h:1?insecure=maybe&tls");
        assertThat(url.flag("tls", false)).isTrue();
        assertThat(url.flag("absent", true)).isTrue();
        assertThatThrownBy(() -> url.flag("insecure", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("signaling backend URL 'grpc://h:1?insecure=maybe&tls': "
                        + "parameter insecure=maybe is not a boolean (true or false)");
    }

    @Test
    void urlErrorsNameTheUrl() {
        assertThatThrownBy(() -> BackendUrl.parse("localhost"))
                .hasMessage("signaling backend URL 'localhost': no scheme (expected e.g. grpc://host:port)");
        assertThatThrownBy(() -> BackendUrl.parse("grpc://host").requirePort())
                .hasMessage("signaling backend URL 'grpc://host': no port (expected grpc://host:port)");
        assertThatThrownBy(() -> BackendUrl.parse("grpc://host:0").requirePort())
                .hasMessageContaining("port 0 out of range");
        assertThatThrownBy(() -> BackendUrl.parse("grpc://ho st:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("signaling backend URL 'grpc://ho st:1': not a URL");
        assertThatThrownBy(() -> BackendUrl.parse("grpc://h:1?a=1&a=2"))
                .hasMessageContaining("parameter 'a' given twice");
        assertThatThrownBy(() -> BackendUrl.parse("grpc://h:1?a=1").requireOnlyParams(Set.of("insecure")))
                .hasMessage("signaling backend URL 'grpc://h:1?a=1': unknown parameter 'a' (known: insecure)");
    }

    @Test
    void unknownSchemeNamesTheUrlAndTheKnownSchemes() {
        assertThatThrownBy(() -> Backends.open("carrier-pigeon://coop:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("signaling backend URL 'carrier-pigeon://coop:1': unknown scheme 'carrier-pigeon' "
                        + "(known schemes: ")
                .hasMessageContaining("inprocess");
    }

    @Test
    void opensInprocessByUrl() {
        try (SignalingBackend b = Backends.open("inprocess:backends-test")) {
            assertThat(b).isInstanceOfSatisfying(InProcessBackend.class,
                    i -> assertThat(i.hubName()).isEqualTo("backends-test"));
        }
        try (SignalingBackend b = Backends.open("inprocess:")) {
            assertThat(((InProcessBackend) b).hubName()).isEqualTo(InProcessBackend.DEFAULT_HUB);
        }
        assertThatThrownBy(() -> Backends.open("inprocess:x?bogus=1"))
                .hasMessageContaining("unknown parameter 'bogus' (known: none)");
    }

    @Test
    void factoriesListedForServiceLoaderAreFoundAndMissingOnesSkipped() {
        // main lists the grpc and multicast factories, which may not exist yet; the test
        // resources list ServiceLoadedTestFactory
        assertThat(Backends.schemes()).contains("loaded-test", "inprocess");
        try (SignalingBackend b = Backends.open("loaded-test:x")) {
            assertThat(((InProcessBackend) b).hubName()).isEqualTo("loaded-x");
        }
    }

    @Test
    void registeredFactoryServesItsScheme() {
        Backends.register(new BackendFactory() {
            @Override
            public String scheme() {
                return "Fake";
            }

            @Override
            public SignalingBackend open(BackendUrl url) {
                return new FakeBackend(url.requireHost());
            }
        });
        assertThat(Backends.schemes()).contains("fake", "inprocess");
        try (SignalingBackend b = Backends.open("fake://somewhere:1")) {
            assertThat(b).isInstanceOfSatisfying(FakeBackend.class, f -> assertThat(f.host).isEqualTo("somewhere"));
        }
    }

    @Test
    void openAllGivesOneBackendOrAMulti() {
        try (SignalingBackend one = Backends.openAll(List.of("inprocess:a"))) {
            assertThat(one).isInstanceOf(InProcessBackend.class);
        }
        try (SignalingBackend two = Backends.openAll(List.of("inprocess:a", "inprocess:b"))) {
            assertThat(two).isInstanceOfSatisfying(MultiBackend.class, m -> assertThat(m.backends()).hasSize(2));
        }
        assertThatThrownBy(() -> Backends.openAll(List.of())).hasMessage("no signaling backend URL given");
        assertThatThrownBy(() -> Backends.openAll(List.of("inprocess:a", "nope://x:1")))
                .hasMessageContaining("unknown scheme 'nope'");
    }

    private static final class FakeBackend implements SignalingBackend {
        final String host;

        FakeBackend(String host) {
            this.host = host;
        }

        @Override
        public CompletableFuture<Void> publish(Envelope envelope) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Subscription subscribe(KeyPair keys, MessageHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SealStats stats() {
            return new SealStats();
        }

        @Override
        public void close() {
        }
    }
}
