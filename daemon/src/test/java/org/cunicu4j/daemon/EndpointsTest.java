package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EndpointsTest {

    @Test
    void literalsParse() {
        InetSocketAddress v4 = Endpoints.resolve("192.0.2.1:51820", "here");
        assertThat(v4.getAddress().getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(v4.getPort()).isEqualTo(51820);
        InetSocketAddress v6 = Endpoints.resolve("[2001:db8::1]:1", "here");
        assertThat(v6.getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(v6.getPort()).isEqualTo(1);
    }

    @Test
    void malformedEndpointsAreRefusedNamingWhere() {
        for (String bad : new String[] {"192.0.2.1", "192.0.2.1:", "192.0.2.1:0", "192.0.2.1:65536", "2001:db8::1:5",
                "[2001:db8::1]", "[2001:db8::1]5", ":51820", "192.0.2.1:x"}) {
            assertThatThrownBy(() -> Endpoints.resolve(bad, "peers.bob.endpoint of wg0 in /etc/c.yaml"))
                    .as(bad)
                    .isInstanceOf(DaemonException.class)
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("peers.bob.endpoint of wg0 in /etc/c.yaml");
        }
    }
}
