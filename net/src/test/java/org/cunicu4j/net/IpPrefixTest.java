package org.cunicu4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpPrefixTest {

    @Test
    void parsesBothFamiliesAndBareAddresses() {
        assertThat(IpPrefix.parse("10.0.0.1/24").toString()).isEqualTo("10.0.0.1/24");
        assertThat(IpPrefix.parse("10.0.0.1/24").masked().toString()).isEqualTo("10.0.0.0/24");
        assertThat(IpPrefix.parse("fd00::1/64").masked().toString()).isEqualTo("fd00:0:0:0:0:0:0:0/64");
        assertThat(IpPrefix.parse("192.168.1.7").bits()).isEqualTo(32);
        assertThat(IpPrefix.parse("::1").bits()).isEqualTo(128);
        assertThat(IpPrefix.parse("0.0.0.0/0").isIpv4()).isTrue();
    }

    @Test
    void anIpv4MappedIpv6PrefixStaysIpv6() {
        IpPrefix p = IpPrefix.parse("::ffff:10.0.0.0/104");
        assertThat(p.isIpv4()).isFalse();
        assertThat(p.bits()).isEqualTo(104);
        assertThat(p.address().getAddress()).hasSize(16);
        assertThat(IpPrefix.parse("::ffff:0.0.0.0/96").masked().isIpv4()).isFalse();
        assertThatThrownBy(() -> IpPrefix.parse("::ffff:1.2.3.4/129")).hasMessageContaining("exceeds 128");
    }

    @Test
    void rejectsWhatIsNotAPrefixWithTheReason() {
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/33")).hasMessageContaining("exceeds 32");
        assertThatThrownBy(() -> IpPrefix.parse("example.com/8")).hasMessageContaining("not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.1/8")).hasMessageContaining("four parts");
        assertThatThrownBy(() -> IpPrefix.parse("010.0.0.0/8")).hasMessage("'010.0.0.0/8' is not an IP prefix: '010.0.0.0' has a part "
                + "with a leading zero ('010'), which is ambiguous (octal to inet_aton, decimal to Java)");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/x")).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/")).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> IpPrefix.parse("1..2.3/8")).hasMessageContaining("not a valid IP address");
        assertThatThrownBy(() -> IpPrefix.parse("fd00:::1/64")).hasMessageContaining("not a valid IP address");
    }
}
