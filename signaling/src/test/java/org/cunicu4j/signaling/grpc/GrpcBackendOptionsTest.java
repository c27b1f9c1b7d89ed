package org.cunicu4j.signaling.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.cunicu4j.signaling.backend.BackendUrl;
import org.junit.jupiter.api.Test;

class GrpcBackendOptionsTest {

    @Test
    void keepalivePingsAreFiveMinutesApartByDefaultAsGrpcGoServersDemand() {
        assertThat(GrpcBackendOptions.DEFAULT_KEEPALIVE).isEqualTo(Duration.ofMinutes(5));
        assertThat(GrpcBackendOptions.tls("h", 443).keepAliveTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(GrpcBackendOptions.insecure("h", 8080).keepAliveTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(GrpcBackendOptions.fromUrl(BackendUrl.parse("grpc://h:8080?insecure=true")).keepAliveTime())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theKeepaliveTimeCanBeChangedAndSurvivesOtherChanges() {
        GrpcBackendOptions o = GrpcBackendOptions.insecure("h", 1).withKeepAliveTime(Duration.ofMinutes(10))
                .withBackoff(Duration.ofMillis(10), Duration.ofSeconds(1));
        assertThat(o.keepAliveTime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(GrpcBackendOptions.tls("h", 1).withKeepAliveTime(Duration.ofMinutes(7)).withCaFile(null)
                .keepAliveTime()).isEqualTo(Duration.ofMinutes(7));
        assertThatThrownBy(() -> o.withKeepAliveTime(Duration.ZERO)).hasMessageContaining("positive");
    }
}
