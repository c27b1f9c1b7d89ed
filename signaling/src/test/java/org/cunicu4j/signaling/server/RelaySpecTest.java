package org.cunicu4j.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RelaySpecTest {

    @Test
    void parsesSecretAndTtlOutOfTheUrl() {
        RelaySpec r = RelaySpec.parse("turn:relay.example:3478?transport=udp&secret=a%26b&ttl=1h30m");
        assertThat(r.url()).isEqualTo("turn:relay.example:3478?transport=udp");
        assertThat(r.secret()).isEqualTo("a&b");
        assertThat(r.ttl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(r.toString()).doesNotContain("a&b");
    }

    @Test
    void aBase64SecretKeepsItsPlusAndSlash() {
        RelaySpec r = RelaySpec.parse("turn:r:3478?secret=ab+cd/ef==&transport=tcp");
        assertThat(r.secret()).isEqualTo("ab+cd/ef==");
        assertThat(r.url()).isEqualTo("turn:r:3478?transport=tcp");
        assertThat(RelaySpec.parse("turn:r:3478?secret=a%2Bb%2f").secret()).isEqualTo("a+b/");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:3478?secret=x%zz")).hasMessageContaining("percent escape")
                .hasMessageNotContaining("x%zz");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:99999?secret=hush")).hasMessageContaining("out of range")
                .hasMessageContaining("secret=***").hasMessageNotContaining("hush");
    }

    @Test
    void refusesHugeTtls() {
        assertThat(RelaySpec.parse("turn:r:1?ttl=720h").ttl()).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:1?ttl=721h")).hasMessageContaining("maximum");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:1?ttl=99999999999999999999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:1?ttl=9999999999999999h"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
    }

    @Test
    void defaultsAndPlainSeconds() {
        assertThat(RelaySpec.parse("turns:relay.example").ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(RelaySpec.parse("turns:relay.example").secret()).isNull();
        assertThat(RelaySpec.parse("turn:r:1?ttl=90").ttl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(RelaySpec.parse("turn:r:1?ttl=45s").ttl()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void refusesWhatIsNotATurnRelay() {
        assertThatThrownBy(() -> RelaySpec.parse("stun:r:3478")).hasMessageContaining("turn: or turns:");
        assertThatThrownBy(() -> RelaySpec.parse("turn::3478")).hasMessageContaining("needs a host");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:99999")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:3478?ttl=1d")).hasMessageContaining("bad ttl unit");
        assertThatThrownBy(() -> RelaySpec.parse("turn:r:3478?ttl=0")).hasMessageContaining("positive");
    }

    @Test
    void listenAddresses() {
        assertThat(ListenAddress.parse("[::]:8080")).isEqualTo(new InetSocketAddress(8080));
        assertThat(ListenAddress.parse(":9000")).isEqualTo(new InetSocketAddress(9000));
        assertThat(ListenAddress.parse("127.0.0.1:0")).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(ListenAddress.parse("[::1]:443").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThatThrownBy(() -> ListenAddress.parse("8080")).hasMessageContaining("needs a port");
        assertThatThrownBy(() -> ListenAddress.parse("::1:443")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> ListenAddress.parse("host:http")).hasMessageContaining("bad port");
    }
}
