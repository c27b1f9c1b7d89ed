package org.cunicu4j.stun.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerUrlTest {

    @Test
    void stunDefaultsToUdpPort3478() {
        StunUrl u = StunUrl.parse("stun:stun.example.org");
        assertThat(u).isEqualTo(new StunUrl(false, "stun.example.org", 3478));
        assertThat(u.transport()).isEqualTo(Transport.UDP);
        assertThat(u.toString()).isEqualTo("stun:stun.example.org:3478");
    }

    @Test
    void stunsDefaultsToTlsPort5349() {
        StunUrl u = StunUrl.parse("STUNS:198.18.0.10");
        assertThat(u).isEqualTo(new StunUrl(true, "198.18.0.10", 5349));
        assertThat(u.transport()).isEqualTo(Transport.TLS);
    }

    @Test
    void ipv6LiteralsInBrackets() {
        assertThat(StunUrl.parse("stun:[2001:db8::1]:19302")).isEqualTo(new StunUrl(false, "2001:db8::1", 19302));
        assertThat(StunUrl.parse("stun:[::1]").port()).isEqualTo(3478);
        assertThat(StunUrl.parse("stun:[2001:db8::1]:19302").toString()).isEqualTo("stun:[2001:db8::1]:19302");
    }

    @Test
    void turnWithCredentialsAndTransport() {
        TurnUrl u = TurnUrl.parse("turn:alice:s3cret@turn.example.org:3479?transport=tcp");
        assertThat(u).isEqualTo(new TurnUrl(false, "turn.example.org", 3479, Transport.TCP, "alice", "s3cret"));
        assertThat(u.toString()).isEqualTo("turn:alice:***@turn.example.org:3479?transport=tcp")
                .doesNotContain("s3cret");
    }

    @Test
    void turnDefaultsToUdpWithoutCredentials() {
        TurnUrl u = TurnUrl.parse("turn:198.18.0.10");
        assertThat(u).isEqualTo(new TurnUrl(false, "198.18.0.10", 3478, Transport.UDP, "", ""));
        assertThat(u.hasCredentials()).isFalse();
    }

    @Test
    void turnsIsTlsOnPort5349() {
        assertThat(TurnUrl.parse("turns:u:p@[2001:db8::2]"))
                .isEqualTo(new TurnUrl(true, "2001:db8::2", 5349, Transport.TLS, "u", "p"));
        assertThat(TurnUrl.parse("turns:u:p@h?transport=tcp").transport()).isEqualTo(Transport.TLS);
    }

    @Test
    void restUserNamesKeepTheirColonAndPercentEscapesDecode() {
        TurnUrl u = TurnUrl.parse("turn:1700000000:q1Zr+/k=:dGVzdA%3D%3D@h:3478");
        assertThat(u.username()).isEqualTo("1700000000:q1Zr+/k=");
        assertThat(u.password()).isEqualTo("dGVzdA==");
        assertThat(TurnUrl.parse("turn:a%40b:p%3Aq@h").username()).isEqualTo("a@b");
        assertThat(TurnUrl.parse("turn:a%40b:p%3Aq@h").password()).isEqualTo("p:q");
    }

    @Test
    void parseDispatchesOnTheScheme() {
        assertThat(ServerUrl.parse("stun:h")).isInstanceOf(StunUrl.class);
        assertThat(ServerUrl.parse("turn:h")).isInstanceOf(TurnUrl.class);
        assertThatThrownBy(() -> StunUrl.parse("turn:h")).hasMessageContaining("expected a stun: or stuns: URL");
        assertThatThrownBy(() -> TurnUrl.parse("stun:h")).hasMessageContaining("expected a turn: or turns: URL");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://example.org      | unknown scheme \"http\"",
        "example.org             | no scheme",
        "stun://example.org      | no \"//\" after the scheme",
        "stun:                   | missing host",
        "stun:h:0                | port must be 1..65535, got 0",
        "stun:h:65536            | port must be 1..65535, got 65536",
        "stun:h:abc              | port must be a number 1..65535, got \"abc\"",
        "stun:h:                 | port must be a number 1..65535, got \"\"",
        "stun:2001:db8::1        | an IPv6 address needs brackets",
        "stun:[2001:db8::1       | is not closed",
        "stun:[example.org]:1    | is not an IPv6 address",
        "stun:[::1]x             | unexpected \"x\" after \"]\"",
        "stun:u:p@h              | stun: URLs carry no user name or password",
        "stun:h?transport=udp    | stun: URLs take no query",
        "turn:h?transport=sctp   | transport must be udp or tcp, got \"sctp\"",
        "turn:h?proto=udp        | unknown query parameter \"proto\"",
        "turns:h?transport=udp   | DTLS, which is not supported",
        "turn:alice@h            | credentials must be user:password@",
        "turn::p@h               | empty user name",
        "turn:alice:@h           | empty password after \"alice:\"",
        "turn:u:p%zz@h           | bad percent escape in the password",
        "turn:h_o st             | whitespace or control character",
        "turn:h*st               | invalid character '*' in host",
    })
    void errorsNameTheUrlAndTheProblem(String url, String problem) {
        assertThatThrownBy(() -> ServerUrl.parse(url))
                .isInstanceOf(UrlSyntaxException.class)
                .hasMessageStartingWith("invalid STUN/TURN URL \"")
                .hasMessageContaining(problem);
    }

    @Test
    void errorsMaskThePassword() {
        assertThatThrownBy(() -> ServerUrl.parse("turn:alice:topsecret@h:99999"))
                .hasMessage("invalid STUN/TURN URL \"turn:alice:***@h:99999\": port must be 1..65535, got 99999");
    }
}
