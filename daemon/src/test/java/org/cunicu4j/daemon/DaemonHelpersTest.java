package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.cunicu4j.daemon.config.IceSettings;
import org.cunicu4j.ice.IceConfig;
import org.junit.jupiter.api.Test;

class DaemonHelpersTest {

    @Test
    void globsAreTold() {
        assertThat(Daemon.isGlob("wg0")).isFalse();
        assertThat(Daemon.isGlob("wg*")).isTrue();
        assertThat(Daemon.isGlob("wg?")).isTrue();
        assertThat(Daemon.isGlob("wg[01]")).isTrue();
    }

    @Test
    void aConfiguredPortWinsAndATakenPortIsSkipped() throws Exception {
        assertThat(ListenPorts.choose(51820, 1, 2, "f")).isEqualTo(51820);
        assertThat(ListenPorts.choose(null, 0, 0, "f")).isZero();
        try (DatagramChannel taken = DatagramChannel.open(StandardProtocolFamily.INET)) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            assertThat(ListenPorts.free(port)).isFalse();
            int chosen = ListenPorts.choose(null, port, Math.min(65535, port + 20), "f");
            assertThat(chosen).isNotEqualTo(port).isBetween(port + 1, port + 20);
            assertThatThrownBy(() -> ListenPorts.choose(null, port, port, "/etc/c.yaml"))
                    .isInstanceOf(DaemonException.class)
                    .hasMessageContaining("listen_port_range " + port + "-" + port).hasMessageContaining("/etc/c.yaml");
        }
    }

    @Test
    void iceTimingsComeFromTheConfigurationAndConsentStaysInsideTheDisconnectedTimeout() {
        IceSettings s = new IceSettings(IceSettings.DEFAULT.urls(), IceSettings.DEFAULT.candidateTypes(),
                IceSettings.DEFAULT.networkTypes(), Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(3),
                Duration.ofMillis(500), IceSettings.DEFAULT.interfacesInclude(), IceSettings.DEFAULT.interfacesExclude(),
                null, null);
        IceConfig c = InterfaceSetup.iceConfig(s);
        assertThat(c.checkInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.disconnectedTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.failedTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.keepaliveInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.consentInterval()).isLessThanOrEqualTo(Duration.ofMillis(250));
    }
}
