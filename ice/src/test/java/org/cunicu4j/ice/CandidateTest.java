package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CandidateTest {

    @Test
    void priorityFollowsTypeLocalPreferenceAndComponent() {
        assertThat(Candidate.priorityOf(CandidateType.HOST, 65535, 1)).isEqualTo(126L * (1 << 24) + 65535L * 256 + 255);
        assertThat(Candidate.priorityOf(CandidateType.HOST, 65535, 1)).isEqualTo(2130706431L);
        assertThat(Candidate.priorityOf(CandidateType.SERVER_REFLEXIVE, 65535, 1)).isEqualTo(100L * (1 << 24) + 65535L * 256 + 255);
        assertThat(Candidate.priorityOf(CandidateType.RELAY, 0, 1)).isEqualTo(255);
        assertThat(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 10, 2)).isEqualTo(110L * (1 << 24) + 10 * 256 + 254);
        // type dominates local preference, local preference dominates component
        assertThat(Candidate.priorityOf(CandidateType.HOST, 0, 256))
                .isGreaterThan(Candidate.priorityOf(CandidateType.PEER_REFLEXIVE, 65535, 1));
        assertThat(Candidate.priorityOf(CandidateType.HOST, 2, 256)).isGreaterThan(Candidate.priorityOf(CandidateType.HOST, 1, 1));
        assertThatThrownBy(() -> Candidate.priorityOf(CandidateType.HOST, 65536, 1)).hasMessageContaining("local preference");
        assertThatThrownBy(() -> Candidate.priorityOf(CandidateType.HOST, 1, 0)).hasMessageContaining("component");
    }

    @Test
    void foundationsAreEqualExactlyForSameTypeBaseServerAndTransport() {
        InetAddress base = InetAddress.ofLiteral("192.0.2.1");
        InetSocketAddress stun = new InetSocketAddress(InetAddress.ofLiteral("198.51.100.1"), 3478);
        String f = Candidate.foundationOf(CandidateType.SERVER_REFLEXIVE, base, stun, null);
        assertThat(f).hasSize(8).isEqualTo(Candidate.foundationOf(CandidateType.SERVER_REFLEXIVE, base, stun, null));
        assertThat(f).isNotEqualTo(Candidate.foundationOf(CandidateType.HOST, base, null, null))
                .isNotEqualTo(Candidate.foundationOf(CandidateType.SERVER_REFLEXIVE, InetAddress.ofLiteral("192.0.2.2"), stun, null))
                .isNotEqualTo(Candidate.foundationOf(CandidateType.SERVER_REFLEXIVE, base,
                        new InetSocketAddress(InetAddress.ofLiteral("198.51.100.2"), 3478), null));
        assertThat(Candidate.foundationOf(CandidateType.RELAY, base, stun, Candidate.RelayProtocol.UDP))
                .isNotEqualTo(Candidate.foundationOf(CandidateType.RELAY, base, stun, Candidate.RelayProtocol.TCP));
    }

    @Test
    void sdpRoundTrips() {
        Candidate host = new Candidate("1a2b", 1, 2130706431L, addr("192.0.2.1", 4000), CandidateType.HOST, null, null);
        assertThat(host.toSdp()).isEqualTo("candidate:1a2b 1 udp 2130706431 192.0.2.1 4000 typ host");
        assertThat(Candidate.parse(host.toSdp())).isEqualTo(host);
        Candidate srflx = new Candidate("ff", 1, 1694498815L, addr("2001:db8::5", 5000), CandidateType.SERVER_REFLEXIVE,
                addr("2001:db8::1", 4000), null);
        assertThat(srflx.toSdp()).isEqualTo("candidate:ff 1 udp 1694498815 2001:db8:0:0:0:0:0:5 5000 typ srflx raddr "
                + "2001:db8:0:0:0:0:0:1 rport 4000");
        assertThat(Candidate.parse(srflx.toSdp())).isEqualTo(srflx);
        Candidate relay = Candidate.parse("a=candidate:7 1 UDP 16777215 203.0.113.9 49152 typ relay raddr 0.0.0.0 rport 0 "
                + "generation 0 ufrag abcd network-cost 50");
        assertThat(relay.type()).isEqualTo(CandidateType.RELAY);
        assertThat(relay.relatedAddress()).isEqualTo(addr("0.0.0.0", 0));
        assertThat(relay.relayProtocol()).isEqualTo(Candidate.RelayProtocol.UDP);
        assertThat(Candidate.parse("candidate:x 1 udp 1 ::1 1 typ prflx").address()).isEqualTo(addr("::1", 1));
    }

    @Test
    void sdpErrorsNameTheField() {
        assertThatThrownBy(() -> Candidate.parse("candidate:1 1 tcp 1 192.0.2.1 1 typ host")).hasMessageContaining("udp");
        assertThatThrownBy(() -> Candidate.parse("candidate:1 1 udp 1 example.org 1 typ host"))
                .hasMessageContaining("not an IP literal");
        assertThatThrownBy(() -> Candidate.parse("candidate:1 1 udp 1 192.0.2.1 1 typ bogus"))
                .hasMessageContaining("unknown candidate type");
        assertThatThrownBy(() -> Candidate.parse("candidate:1 1 udp 1 192.0.2.1 70000 typ host")).hasMessageContaining("port");
        assertThatThrownBy(() -> Candidate.parse("candidate:1 1 udp 0 192.0.2.1 1 typ host")).hasMessageContaining("priority");
        assertThatThrownBy(() -> Candidate.parse("m=audio")).hasMessageContaining("candidate:");
        assertThatThrownBy(() -> Candidate.parse("candidate:1 1 udp 1 192.0.2.1 1 typ srflx raddr 192.0.2.9"))
                .hasMessageContaining("raddr and rport");
    }

    @Test
    void parseOfRandomTextOnlyThrowsIllegalArgument() {
        long seed = 0x1CE5EED;
        Random r = new Random(seed);
        String[] tokens = {"candidate:", "a=", "1", "udp", "typ", "host", "relay", "raddr", "rport", "192.0.2.1", "::1",
            "65536", "-1", "4294967296", "x", " ", "  ", ":", "ff"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(r.nextBoolean() ? "candidate:" : "");
            int n = r.nextInt(14);
            for (int j = 0; j < n; j++) {
                sb.append(tokens[r.nextInt(tokens.length)]).append(r.nextInt(4) == 0 ? "" : " ");
            }
            String s = sb.toString();
            try {
                Candidate c = Candidate.parse(s);
                assertThat(Candidate.parse(c.toSdp())).as("seed %x iteration %d: %s", seed, i, s).isEqualTo(c);
            } catch (IllegalArgumentException expected) {
                // the only failure parse may report
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + Long.toHexString(seed) + " iteration " + i + ": '" + s + "' threw " + e, e);
            }
        }
    }

    static InetSocketAddress addr(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }
}
