package org.cunicu4j.stun.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.cunicu4j.testlab.Coturn;
import org.junit.jupiter.api.Test;

class TurnRestCredentialsTest {

    /**
     * Known answer, computed independently with
     * {@code printf %s '1700003600:alice' | openssl dgst -sha1 -hmac 'north' -binary | base64}.
     */
    @Test
    void knownAnswer() {
        assertThat(TurnRestCredentials.password("north", "1700003600:alice"))
                .isEqualTo("wjwSXO2ch1B6VaLTLMy2Avn5O9o=");
    }

    @Test
    void agreesWithTheLabsCoturnHelper() {
        String user = "1700003600:9jalV3EEBnVXb/3QqWgXBHkWMx2H3ZC4x7JeyRmMOE8=";
        assertThat(TurnRestCredentials.password("s3cr3t", user)).isEqualTo(Coturn.restPassword("s3cr3t", user));
    }

    @Test
    void userNameIsExpiryColonNameWithADefaultLifetimeOfOneHour() {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 700_000_000), ZoneOffset.UTC);
        TurnRestCredentials c = TurnRestCredentials.issue("north", "alice", clock);
        assertThat(c.username()).isEqualTo("1700003600:alice");
        assertThat(c.expiry()).isEqualTo(Instant.ofEpochSecond(1_700_003_600L));
        assertThat(c.password()).isEqualTo(TurnRestCredentials.password("north", "1700003600:alice"));
        assertThat(c.expiredAt(Instant.ofEpochSecond(1_700_003_599L))).isFalse();
        assertThat(c.expiredAt(Instant.ofEpochSecond(1_700_003_600L))).isTrue();
        assertThat(c.toString()).doesNotContain(c.password());
    }

    @Test
    void lifetimeMustBePositive() {
        assertThatThrownBy(() -> TurnRestCredentials.issue("s", "n", Instant.EPOCH, Duration.ZERO))
                .hasMessageContaining("lifetime must be positive");
    }
}
