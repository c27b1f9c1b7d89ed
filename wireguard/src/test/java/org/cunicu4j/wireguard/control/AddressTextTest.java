package org.cunicu4j.wireguard.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.cunicu4j.net.IpPrefix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTextTest {

    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:1:1:1:1:0:1, 2001:db8:1:1:1:1:0:1",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "0:0:0:0:0:ffff:c000:201, ::ffff:192.0.2.1",
        "0:0:0:0:0:0:c000:201, ::192.0.2.1",
        "FD00:AB:0:0:1:0:0:0, fd00:ab:0:0:1::",
    })
    void compressesLikeInetNtop(String in, String expected) throws Exception {
        assertThat(AddressText.format(AddressText.ipv6(InetAddress.getByName(in).getAddress()))).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void ipv4MappedAddressesStayIpv6() {
        InetSocketAddress e = AddressText.parseEndpoint("[::ffff:192.0.2.1]:51820");
        assertThat(e.getAddress()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(AddressText.format(e)).isEqualTo("[::ffff:192.0.2.1]:51820");
        org.cunicu4j.net.IpPrefix p = AddressText.parsePrefix("::ffff:0:0/96");
        assertThat(p.address()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(p.bits()).isEqualTo(96);
        assertThat(AddressText.format(p)).isEqualTo("::ffff:0.0.0.0/96");
        assertThat(AddressText.format(AddressText.parsePrefix("::ffff:10.0.0.1/128"))).isEqualTo("::ffff:10.0.0.1/128");
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1:51820", "[2001:db8::1]:1", "[fe80::1%3]:65535", "0.0.0.0:0"})
    void endpointsRoundTrip(String text) {
        assertThat(AddressText.format(AddressText.parseEndpoint(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com:1", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "2001:db8::1:5", "[2001:db8::1]5",
        "[1.2.3.4]:5", "1.2.3:4", "1.2.3.4.5:6", "[::1%]:1", "[zz::1]:1", ":1", "1.2.3.04444:1"})
    void rejectsWhatIsNotAnEndpointLiteral(String text) {
        assertThatThrownBy(() -> AddressText.parseEndpoint(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + text + "' is not an endpoint");
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.1, 10.0.0.1/32", "fd00::/8, fd00::/8", "0.0.0.0/0, 0.0.0.0/0", "::/0, ::/0"})
    void parsesPrefixes(String in, String out) {
        assertThat(AddressText.format(AddressText.parsePrefix(in))).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/", "host/8", "fe80::1%2/64", "::/129", "10.0.0.0/-1"})
    void rejectsBadPrefixes(String text) {
        assertThatThrownBy(() -> AddressText.parsePrefix(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + text + "' is not an IP prefix");
    }

    @org.junit.jupiter.api.Test
    void formatsPrefixesCompressed() {
        assertThat(AddressText.format(new IpPrefix(new InetSocketAddress("fd00::", 0).getAddress(), 64))).isEqualTo("fd00::/64");
    }
}
