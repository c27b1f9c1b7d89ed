package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "wg", "wireguard-go", "ping"})
class WgPairTest {
    private static final Duration UP = Duration.ofSeconds(15);

    @Test
    void aWireguardGoPairIsConfiguredWithWgOnlyPingsOverBothFamiliesAndRoams() {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, WgPair.WIREGUARD_GO, WgPair.WIREGUARD_GO);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL_B, UP);
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL6_A, UP);
            assertThat(WgPair.pingTimes(pair.a().host(), WgPair.TUNNEL6_B, 5, "0.01")).hasSize(5)
                    .allMatch(ms -> ms > 0);
            assertThat(pair.a().wg("show", pair.a().ifname(), "private-key").stdout())
                    .as("the key went in from the 0600 file").hasSize(45);
            assertThat(pair.a().peerEndpoint()).isEqualTo(WgPair.UNDERLAY_B + ":" + WgPair.PORT_B);

            pair.moveB("10.200.0.3");
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, UP);
            assertThat(pair.a().peerEndpoint()).isEqualTo("10.200.0.3:" + WgPair.PORT_B);

            pair.rebindB(51899);
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, UP);
            assertThat(pair.a().peerEndpoint()).isEqualTo("10.200.0.3:51899");
        }
    }
}
