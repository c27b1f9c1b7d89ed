package org.cunicu4j.wireguard.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import org.cunicu4j.net.PacketBatch;
import org.junit.jupiter.api.Test;

class UdpEndpointTest {

    @Test
    void parsesIpv4AndIpv6() throws Exception {
        UdpEndpoint v4 = UdpEndpoint.parse("1.2.3.4:51820");
        assertThat(v4.address()).isEqualTo(new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 51820));
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v4.toString()).isEqualTo("1.2.3.4:51820");
        UdpEndpoint v6 = UdpEndpoint.parse("[fd00::1]:51820");
        assertThat(v6.address()).isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::1"), 51820));
        assertThat(v6.isIpv4()).isFalse();
        assertThat(v6.toString()).isEqualTo("[fd00::1]:51820");
        assertThat(UdpEndpoint.parse("  [2001:DB8:0:0:0:0:0:1]:1 ").toString()).isEqualTo("[2001:db8::1]:1");
        assertThat(UdpEndpoint.parse(v6.toString())).isEqualTo(v6).hasSameHashCodeAs(v6);
    }

    @Test
    void v4MappedBecomesIpv4() {
        UdpEndpoint e = UdpEndpoint.parse("[::ffff:10.0.0.1]:7");
        assertThat(e.isIpv4()).isTrue();
        assertThat(e).isEqualTo(UdpEndpoint.parse("10.0.0.1:7"));
    }

    @Test
    void badInputNamesTheTextAndTheProblem() {
        assertRejected("example.com:51820", "'example.com:51820' is not an endpoint: 'example.com' is not an IPv4 or IPv6 address (host names are not resolved here: resolve them first, as the wg tool does)");
        assertRejected("1.2.3.4", "'1.2.3.4' is not an endpoint: expected address:port or [IPv6 address]:port");
        assertRejected("1.2.3.4:", "'1.2.3.4:' is not an endpoint: the port '' is not a number 1..65535");
        assertRejected("1.2.3.4:0", "'1.2.3.4:0' is not an endpoint: the port 0 is outside 1..65535");
        assertRejected("1.2.3.4:65536", "'1.2.3.4:65536' is not an endpoint: the port 65536 is outside 1..65535");
        assertRejected("1.2.3.4:-1", "'1.2.3.4:-1' is not an endpoint: the port '-1' is not a number 1..65535");
        assertRejected("1.2.3:80", "'1.2.3:80' is not an endpoint: '1.2.3' is not an IP address: its IPv4 part needs four parts");
        assertRejected("10.0.0.010:80", "'10.0.0.010:80' is not an endpoint: '10.0.0.010' has a part with a leading zero ('010'), which is ambiguous (octal to inet_aton, decimal to Java)");
        assertRejected("[::ffff:10.0.0.010]:80", "'[::ffff:10.0.0.010]:80' is not an endpoint: '::ffff:10.0.0.010' has a part with a leading zero ('010'), which is ambiguous (octal to inet_aton, decimal to Java)");
        assertThat(UdpEndpoint.parse("0.0.0.0:80")).hasToString("0.0.0.0:80");
        assertRejected("1.2.3.256:80", "'1.2.3.256:80' is not an endpoint: '1.2.3.256' is not a valid IP address");
        assertRejected("fd00::1:80", "'fd00::1:80' is not an endpoint: an IPv6 address needs brackets: [address]:port");
        assertRejected("[fd00::1:80", "'[fd00::1:80' is not an endpoint: '[' without a closing ']'");
        assertRejected("[fd00::1]80", "'[fd00::1]80' is not an endpoint: expected ':port' after ']'");
        assertRejected("[1.2.3.4]:80", "'[1.2.3.4]:80' is not an endpoint: '1.2.3.4' in brackets is not an IPv6 address");
        assertRejected("[fe80::1%eth0]:80", "'[fe80::1%eth0]:80' is not an endpoint: IPv6 zones ('%eth0') are not supported");
        assertRejected("[fe80::1]:80", "'[fe80::1]:80' is not an endpoint: link-local addresses (fe80::/10) need an interface, which endpoints do not carry");
        assertRejected(":80", "':80' is not an endpoint: the address is missing");
        assertRejected("[]:80", "'[]:80' is not an endpoint: '' in brackets is not an IPv6 address");
    }

    private static void assertRejected(String text, String message) {
        assertThatThrownBy(() -> UdpEndpoint.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void randomTextIsParsedOrRejectedWithIllegalArgumentOnly() {
        String alphabet = "0123456789abcdefABCDEF.:[]%-x ";
        for (long seed = 0; seed < 20_000; seed++) {
            Random rnd = new Random(seed);
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(30);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            try {
                UdpEndpoint e = UdpEndpoint.parse(text);
                assertThat(UdpEndpoint.parse(e.toString())).as("seed %d: %s round-trips", seed, text).isEqualTo(e);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as("seed %d", seed).startsWith("'" + text + "' is not an endpoint: ");
            }
        }
    }

    @Test
    void matchesComparesAddressAndPort() {
        PacketBatch batch = new PacketBatch(4, 64);
        batch.setAddress(0, new byte[] {1, 2, 3, 4}, 0, 4, 51820);
        batch.setAddress(1, new byte[] {1, 2, 3, 4}, 0, 4, 51821);
        batch.setAddress(2, new byte[] {1, 2, 3, 5}, 0, 4, 51820);
        byte[] v6 = UdpEndpoint.parse("[fd00::1]:51820").address().getAddress().getAddress();
        batch.setAddress(3, v6, 0, 16, 51820);
        UdpEndpoint e = UdpEndpoint.parse("1.2.3.4:51820");
        assertThat(e.matches(batch, 0)).isTrue();
        assertThat(e.matches(batch, 1)).isFalse();
        assertThat(e.matches(batch, 2)).isFalse();
        assertThat(e.matches(batch, 3)).isFalse();
        assertThat(UdpEndpoint.parse("[fd00::1]:51820").matches(batch, 3)).isTrue();
        assertThat(UdpEndpoint.parse("[fd00::2]:51820").matches(batch, 3)).isFalse();
    }

    @Test
    void ofRawBytesCopiesThem() {
        byte[] raw = {10, 0, 0, 1};
        UdpEndpoint e = UdpEndpoint.of(raw, 0, 4, 9);
        raw[3] = 2;
        assertThat(e.toString()).isEqualTo("10.0.0.1:9");
        assertThatThrownBy(() -> UdpEndpoint.of(raw, 0, 5, 9)).hasMessage("an address is 4 or 16 bytes long, not 5");
    }
}
