package org.cunicu4j.signaling.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MulticastTargetTest {

    @Test
    void groupPortAndOptions() throws Exception {
        MulticastTarget t = MulticastTarget.parse("multicast://239.1.2.3:4242?interface=eth0&loopback=false");
        assertThat(t.group()).isEqualTo(InetAddress.getByName("239.1.2.3"));
        assertThat(t.port()).isEqualTo(4242);
        assertThat(t.networkInterface()).contains("eth0");
        assertThat(t.loopback()).isFalse();
        assertThat(t.isIpv6()).isFalse();
    }

    @Test
    void cunicuTestUrlReadsTheSame() throws Exception {
        MulticastTarget t = MulticastTarget.parse("multicast://239.0.0.1:9999?interface=lo&loopback=true");
        assertThat(t).isEqualTo(new MulticastTarget(InetAddress.getByName("239.0.0.1"), 9999,
                Optional.of("lo"), true));
    }

    @Test
    void defaultsWhenNothingIsNamed() {
        MulticastTarget expected = MulticastTarget.defaults();
        assertThat(expected.toUrl()).isEqualTo("multicast://239.0.0.1:9999");
        assertThat(MulticastTarget.parse("multicast:")).isEqualTo(expected);
        assertThat(MulticastTarget.parse("multicast://")).isEqualTo(expected);
        assertThat(MulticastTarget.parse("multicast://239.0.0.1")).isEqualTo(expected);
        assertThat(MulticastTarget.parse("multicast://?interface=lo").networkInterface()).contains("lo");
        assertThat(MulticastTarget.parse("multicast:?interface=lo").group()).isEqualTo(expected.group());
    }

    @Test
    void ipv6GroupInBrackets() throws Exception {
        MulticastTarget t = MulticastTarget.parse("multicast://[ff02::4242]:7777?interface=eth1");
        assertThat(t.isIpv6()).isTrue();
        assertThat(t.group()).isEqualTo(InetAddress.getByName("ff02::4242"));
        assertThat(t.port()).isEqualTo(7777);
        assertThat(t.toUrl()).isEqualTo("multicast://[ff02:0:0:0:0:0:0:4242]:7777?interface=eth1");
    }

    @Test
    void toUrlRoundTrips() {
        for (String url : new String[] {"multicast://239.0.0.1:9999", "multicast://239.9.9.9:1?interface=lo",
                "multicast://239.9.9.9:65535?interface=br0&loopback=false", "multicast://[ff05::1]:5?loopback=false"}) {
            MulticastTarget t = MulticastTarget.parse(url);
            assertThat(MulticastTarget.parse(t.toUrl())).as(url).isEqualTo(t);
        }
    }

    @Test
    void rejectsWhatIsNotAMulticastTarget() {
        assertThatThrownBy(() -> MulticastTarget.parse("multicast://10.0.0.1:9999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.1 is not a multicast address");
        assertThatThrownBy(() -> MulticastTarget.parse("grpc://239.0.0.1:9999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multicast URL");
        assertThatThrownBy(() -> MulticastTarget.parse("multicast://239.0.0.1:9999?ttl=4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown parameter 'ttl'");
        assertThatThrownBy(() -> MulticastTarget.parse("multicast://239.0.0.1:9999?loopback=maybe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a boolean");
        assertThatThrownBy(() -> MulticastTarget.parse("multicast://mcast.example:9999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IP address literal");
        assertThatThrownBy(() -> MulticastTarget.parse("multicast://239.0.0.1:9999/path"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected path");
        assertThatThrownBy(() -> MulticastTarget.parse("multicast://239.0.0.1:9999?interface="))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interface name is empty");
    }
}
