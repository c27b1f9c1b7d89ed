package org.cunicu4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IpLiteralsTest {

    @Test
    void parsesBothFamiliesAndKeepsV4MappedAsIpv6() {
        assertThat(IpLiterals.parse("192.0.2.1")).isInstanceOf(Inet4Address.class).hasToString("/192.0.2.1");
        assertThat(IpLiterals.parse("0.0.0.0").getAddress()).containsExactly(0, 0, 0, 0);
        assertThat(IpLiterals.parse("2001:DB8::1").getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        InetAddress mapped = IpLiterals.parse("::ffff:192.0.2.1");
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        assertThat(mapped.getAddress()).hasSize(16);
    }

    @Test
    void refusesLeadingZerosZonesNamesAndNonsense() {
        assertThatThrownBy(() -> IpLiterals.parse("10.0.0.010"))
                .hasMessage("'10.0.0.010' has a part with a leading zero ('010'), which is ambiguous (octal to inet_aton, decimal to Java)");
        assertThatThrownBy(() -> IpLiterals.parse("::ffff:00.1.2.3")).hasMessageContaining("leading zero ('00')");
        assertThatThrownBy(() -> IpLiterals.parse("fe80::1%eth0")).hasMessage("IPv6 zones ('%eth0') are not supported");
        assertThatThrownBy(() -> IpLiterals.parse("example.com")).hasMessageStartingWith("'example.com' is not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> IpLiterals.parse("1.2.3")).hasMessage("'1.2.3' is not an IP address: its IPv4 part needs four parts");
        assertThatThrownBy(() -> IpLiterals.parse("1.2.3.256")).hasMessage("'1.2.3.256' is not a valid IP address");
        assertThatThrownBy(() -> IpLiterals.parse("")).hasMessage("the address is missing");
    }

    /** Random text: an address or an IllegalArgumentException, never anything else; what parses round-trips. */
    @Test
    void randomTextParsesOrIsRefused() {
        String alphabet = "0123456789abcdefABCDEF.:%x ";
        for (long seed = 1; seed <= 20_000; seed++) {
            Random rnd = new Random(seed);
            StringBuilder sb = new StringBuilder();
            for (int i = rnd.nextInt(20); i > 0; i--) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            InetAddress a;
            try {
                a = IpLiterals.parse(text);
            } catch (IllegalArgumentException e) {
                continue;
            }
            assertThat(IpLiterals.parse(a.getHostAddress())).as("seed %d: '%s' round-trips", seed, text).isEqualTo(a);
        }
    }
}
