package org.cunicu4j.e2e.wg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WgPair;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "wg", "wireguard-go", "ping"})
class HarnessWireguardGoTest {
    @Test
    void wireguardGoPairPingsAndTransfersAndRoams() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, WgPair.WIREGUARD_GO, WgPair.WIREGUARD_GO);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL_B, Duration.ofSeconds(10));
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL6_A, Duration.ofSeconds(10));
            TcpTransfer.Result r = TcpTransfer.run(pair.a().host(), pair.b().host(), WgPair.TUNNEL_B, 7000,
                    20_000_000, 1, Duration.ofSeconds(60));
            assertThat(r.receivedSha256()).isEqualTo(r.sentSha256());
            assertThat(r.receivedBytes()).isEqualTo(20_000_000);
            System.out.println("transfer " + r.mbitPerSecond() + " Mbit/s");
            pair.moveB("10.200.0.3");
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, Duration.ofSeconds(10));
            assertThat(pair.a().peerEndpoint()).isEqualTo("10.200.0.3:" + WgPair.PORT_B);
            pair.rebindB(51899);
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, Duration.ofSeconds(10));
            assertThat(pair.a().peerEndpoint()).isEqualTo("10.200.0.3:51899");
        }
    }
}
