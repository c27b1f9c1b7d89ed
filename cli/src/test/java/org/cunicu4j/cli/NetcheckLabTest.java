package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Coturn;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.TwoNats;
import org.junit.jupiter.api.Test;

/**
 * {@code cunicu4j netcheck} run in-process inside alice's namespace (behind an
 * endpoint-independent NAT) against coturn on the public server, which listens on two
 * addresses so that it does RFC 5780.
 */
@RequiresRoot
@RequiresTools({"ip", "nft", "ss", "turnserver", "openssl"})
class NetcheckLabTest {
    private static final String SECOND_IP = "198.18.0.11";

    @Test
    void printsTheTableForStunAndTurnOverUdpTcpAndTls() throws Exception {
        try (Lab lab = Lab.open()) {
            TwoNats t = Topology.twoNats(lab, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC);
            t.server().addAddress("eth0", SECOND_IP + "/15");
            Coturn coturn = Coturn.builder(t.server()).listen(Topology.SERVER_IP).listen(SECOND_IP)
                    .user("alice", "wonderland").tls().start();
            String s = Topology.SERVER_IP;
            CliRun r = NetNs.call(t.alice().netns(), () -> CliRun.run("netcheck",
                    "--stun", "stun:" + s,
                    "--turn", "turn:alice:wonderland@" + s + "?transport=udp",
                    "--turn", "turn:alice:wonderland@" + s + ":3478?transport=tcp",
                    "--turn", "turns:alice:wonderland@" + s,
                    "--tls-ca", coturn.certFile().toString(),
                    "--timeout", "3s"));
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
            List<String> lines = r.stdout().lines().toList();
            String nat = t.natA().outsideIp();
            assertThat(lines.get(0)).matches("SERVER +TRANSPORT +REACHABLE +RTT +MAPPED ADDRESS +RELAYED ADDRESS");
            assertThat(lines.get(1)).matches("stun:198\\.18\\.0\\.10:3478 +udp +yes +\\d+\\.\\d ms +"
                    + nat.replace(".", "\\.") + ":\\d+ +-");
            for (int i = 2; i <= 4; i++) {
                assertThat(lines.get(i)).as(r.stdout()).matches("turns?:alice:\\*\\*\\*@198\\.18\\.0\\.10:\\d+\\S* +"
                        + "(udp|tcp|tls) +yes +\\d+\\.\\d ms +" + nat.replace(".", "\\.")
                        + ":\\d+ +198\\.18\\.0\\.(10|11):\\d+");
            }
            assertThat(lines.get(2)).contains(" udp ");
            assertThat(lines.get(3)).contains(" tcp ");
            assertThat(lines.get(4)).startsWith("turns:").contains(" tls ");
            assertThat(r.stdout()).contains("NAT mapping:    endpoint-independent (")
                    .contains("NAT filtering:  address-and-port-dependent (")
                    .doesNotContain("Problems").doesNotContain("wonderland");

            // a STUN server on one address only (no RFC 5780), and a TURN user with the wrong password
            Coturn plain = Coturn.builder(t.server()).listen(SECOND_IP).port(4478)
                    .extraArgs("--min-port=40000", "--max-port=40999").start();
            CliRun json = NetNs.call(t.alice().netns(), () -> CliRun.run("netcheck", "--json",
                    "--stun", "stun:" + SECOND_IP + ":" + plain.port(),
                    "--turn", "turn:alice:wrong@" + s, "--timeout", "3s"));
            assertThat(json.exitCode()).as(json.stdout() + json.stderr()).isEqualTo(1);
            assertThat(json.stdout()).startsWith("{\"ok\":false,\"servers\":[{\"url\":\"stun:198.18.0.11:4478\","
                    + "\"kind\":\"stun\",\"transport\":\"udp\",\"reachable\":true,")
                    .contains("{\"url\":\"turn:alice:***@198.18.0.10:3478?transport=udp\",\"kind\":\"turn\","
                            + "\"transport\":\"udp\",\"reachable\":true,")
                    .contains("\"mappedAddress\":\"" + nat + ":")
                    .contains("\"allocation\":{\"status\":\"failed\",\"relayedAddress\":null,\"lifetimeS\":null,"
                            + "\"error\":\"TURN server 198.18.0.10:3478 (udp) rejected the credentials for "
                            + "user \\\"alice\\\" at realm \\\"lab\\\" (401 Unauthorized)\"}")
                    .contains("\"nat\":{\"server\":\"stun:198.18.0.11:4478\",\"mapping\":\"unknown\","
                            + "\"mappingReason\":\"server 198.18.0.11:4478 does not do RFC 5780")
                    .contains("OTHER-ADDRESS");
        }
    }
}
