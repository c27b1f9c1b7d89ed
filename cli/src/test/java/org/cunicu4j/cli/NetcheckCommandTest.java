package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** netcheck's usage errors, rendering and an unreachable server; no root needed. */
class NetcheckCommandTest {

    @Test
    void withoutServersItSaysSoAndExits2() {
        CliRun r = CliRun.run("netcheck");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("no servers to check").contains("no built-in public servers");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aBadUrlIsAUsageErrorNamingTheUrlAndTheProblem() {
        CliRun r = CliRun.run("netcheck", "--turn", "turn:alice:secret@198.18.0.10:99999");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--turn: invalid STUN/TURN URL \"turn:alice:***@198.18.0.10:99999\": "
                + "port must be 1..65535, got 99999").doesNotContain("secret");
    }

    @Test
    void urlsMustMatchTheirOptionAndTimeoutsMustBeDurations() {
        CliRun wrongKind = CliRun.run("netcheck", "--stun", "turn:u:p@h");
        assertThat(wrongKind.exitCode()).isEqualTo(2);
        assertThat(wrongKind.stderr()).contains("--stun takes stun: or stuns: URLs; use --turn for turn:u:***@h:3478");
        CliRun badTimeout = CliRun.run("netcheck", "--stun", "stun:h", "--timeout", "soon");
        assertThat(badTimeout.exitCode()).isEqualTo(2);
        assertThat(badTimeout.stderr()).contains("--timeout: expected a duration").contains("\"soon\"");
    }

    @Test
    void anUnreachableServerIsReportedWithWhyAndExit1() {
        // nothing listens on 127.0.0.1:9; the TCP connect is refused at once
        CliRun r = CliRun.run("netcheck", "--stun", "stun:127.0.0.1:9", "--turn", "turn:u:p@127.0.0.1:9?transport=tcp",
                "--timeout", "300ms");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines.get(0)).startsWith("SERVER").contains("REACHABLE");
        assertThat(lines.get(1)).startsWith("stun:127.0.0.1:9").contains(" udp ").contains(" no ");
        assertThat(lines.get(2)).startsWith("turn:u:***@127.0.0.1:9?transport=tcp").contains(" tcp ").contains(" no ");
        assertThat(r.stdout()).contains("NAT mapping:    unknown (no reachable UDP server to ask)")
                .contains("Problems:")
                .containsPattern("stun:127.0.0.1:9: .+")
                .contains("turn:u:***@127.0.0.1:9?transport=tcp: "
                        + "cannot connect to 127.0.0.1:9 over TCP: Connection refused");
    }

    @Test
    void tableColumnsAlignAndJsonCarriesEveryField() {
        var stun = new NetcheckReport.ServerCheck("stun:198.18.0.10:3478", "stun", "udp", true,
                Duration.ofNanos(1_234_000), 1, new InetSocketAddress("198.18.1.1", 40000), null, null);
        var turn = new NetcheckReport.ServerCheck("turn:alice:***@198.18.0.10:3478?transport=udp", "turn", "udp", true,
                Duration.ofMillis(2), 2, new InetSocketAddress("198.18.1.1", 40001), null,
                NetcheckReport.AllocationCheck.granted(new InetSocketAddress("198.18.0.10", 50000),
                        Duration.ofSeconds(600)));
        var nat = new NetcheckReport.NatCheck("stun:198.18.0.10:3478", "endpoint-independent", "same \"port\"",
                "address-and-port-dependent", "no answer", true, new InetSocketAddress("198.18.1.1", 40000), null);
        NetcheckReport report = new NetcheckReport(List.of(stun, turn), nat);
        List<String> lines = report.table().lines().toList();
        int mappedColumn = lines.get(0).indexOf("MAPPED ADDRESS");
        assertThat(lines.get(1).indexOf("198.18.1.1:40000")).isEqualTo(mappedColumn);
        assertThat(lines.get(2).indexOf("198.18.1.1:40001")).isEqualTo(mappedColumn);
        assertThat(lines.get(1)).contains("1.2 ms");
        assertThat(lines.get(2)).as("a retransmitted request's RTT is uncertain").contains("2.0 ms (~, 2 requests)");
        assertThat(lines.get(2)).endsWith("198.18.0.10:50000");
        assertThat(report.table()).contains("NAT mapping:    endpoint-independent (same \"port\")")
                .contains("NAT filtering:  address-and-port-dependent (no answer)").doesNotContain("Problems");
        assertThat(report.ok()).isTrue();
        assertThat(report.json()).isEqualTo("{\"ok\":true,\"servers\":["
                + "{\"url\":\"stun:198.18.0.10:3478\",\"kind\":\"stun\",\"transport\":\"udp\",\"reachable\":true,"
                + "\"rttMs\":1.234,\"requests\":1,\"mappedAddress\":\"198.18.1.1:40000\",\"error\":null},"
                + "{\"url\":\"turn:alice:***@198.18.0.10:3478?transport=udp\",\"kind\":\"turn\",\"transport\":\"udp\","
                + "\"reachable\":true,\"rttMs\":2.0,\"requests\":2,\"mappedAddress\":\"198.18.1.1:40001\",\"error\":null,"
                + "\"allocation\":{\"status\":\"ok\",\"relayedAddress\":\"198.18.0.10:50000\",\"lifetimeS\":600,"
                + "\"error\":null}}],"
                + "\"nat\":{\"server\":\"stun:198.18.0.10:3478\",\"mapping\":\"endpoint-independent\","
                + "\"mappingReason\":\"same \\\"port\\\"\",\"filtering\":\"address-and-port-dependent\","
                + "\"filteringReason\":\"no answer\",\"behindNat\":true,\"mappedAddress\":\"198.18.1.1:40000\","
                + "\"error\":null}}\n");
    }

    @Test
    void aTurnUrlWithoutCredentialsIsSkippedNotAProblem() {
        var turn = new NetcheckReport.ServerCheck("turn:198.18.0.10:3478?transport=udp", "turn", "udp", true,
                Duration.ofMillis(2), 2, new InetSocketAddress("198.18.1.1", 40001), null,
                NetcheckReport.AllocationCheck.skipped("no user:password in the URL"));
        NetcheckReport report = new NetcheckReport(List.of(turn), null);
        assertThat(report.ok()).isTrue();
        assertThat(report.table()).doesNotContain("Problems").contains(" skipped");
        assertThat(report.json()).startsWith("{\"ok\":true,")
                .contains("\"allocation\":{\"status\":\"skipped\",\"relayedAddress\":null,\"lifetimeS\":null,"
                        + "\"error\":\"no user:password in the URL\"}");
        var failed = new NetcheckReport(List.of(new NetcheckReport.ServerCheck("turn:u:***@h:3478", "turn", "udp",
                true, Duration.ofMillis(2), 1, null, null, NetcheckReport.AllocationCheck.failed("401"))), null);
        assertThat(failed.ok()).isFalse();
        assertThat(failed.table()).contains("Problems:").contains("turn:u:***@h:3478: allocation failed: 401");
    }

    @Test
    void aCredentiallessTurnUrlAgainstAStunServerExitsZero() throws Exception {
        try (var server = new LoopbackStunServer()) {
            CliRun r = CliRun.run("netcheck", "--turn", "turn:127.0.0.1:" + server.port(), "--timeout", "2s");
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(0);
            assertThat(r.stdout()).contains(" skipped").doesNotContain("Problems");
        }
    }

    @Test
    void anUntrustedCertificateGetsTheTlsCaHint() {
        var pkix = new java.io.IOException("TLS handshake with 198.18.0.10:5349 (as \"198.18.0.10\") failed: "
                + "PKIX path building failed", new javax.net.ssl.SSLHandshakeException("PKIX path building failed"));
        assertThat(Netcheck.message(pkix)).endsWith("PKIX path building failed — pass --tls-ca FILE to trust a private CA");
        assertThat(Netcheck.message(new java.io.IOException("Connection refused"))).isEqualTo("Connection refused");
    }
}
