package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SdpCandidateLineTest {

    @Test
    void formatsAndParsesWithRelatedAddress() {
        String line = SdpCandidateLine.format("1", 1, 1686052607L, new InetSocketAddress("198.18.1.1", 40000),
                "srflx", new InetSocketAddress("10.1.0.2", 5000));
        assertThat(line).isEqualTo("candidate:1 1 udp 1686052607 198.18.1.1 40000 typ srflx raddr 10.1.0.2 rport 5000");
        SdpCandidateLine c = SdpCandidateLine.parse("a=" + line + " generation 0");
        assertThat(c.foundation()).isEqualTo("1");
        assertThat(c.priority()).isEqualTo(1686052607L);
        assertThat(c.address()).isEqualTo(new InetSocketAddress("198.18.1.1", 40000));
        assertThat(c.type()).isEqualTo("srflx");
        assertThat(c.related()).isEqualTo(new InetSocketAddress("10.1.0.2", 5000));
    }

    @Test
    void parsesIpv6HostWithoutRelated() {
        SdpCandidateLine c = SdpCandidateLine.parse("candidate:abc 1 UDP 2130706431 fd00:c4::2 7000 typ host");
        assertThat(c.address().getAddress().getHostAddress()).isEqualTo("fd00:c4:0:0:0:0:0:2");
        assertThat(c.related()).isNull();
    }

    @Test
    void refusesTcpAndNames() {
        assertThatThrownBy(() -> SdpCandidateLine.parse("candidate:1 1 tcp 1 10.0.0.1 9 typ host"))
                .hasMessageContaining("not a UDP candidate");
        assertThatThrownBy(() -> SdpCandidateLine.parse("candidate:1 1 udp 1 example.org 9 typ host"))
                .hasMessageContaining("not numeric");
    }
}
