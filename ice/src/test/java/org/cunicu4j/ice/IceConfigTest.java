package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IceConfigTest {

    @Test
    void consentIntervalMustBeShorterThanTheDisconnectedTimeout() {
        assertThatThrownBy(() -> IceConfig.builder().consentInterval(Duration.ofSeconds(5))
                .disconnectedTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("consentInterval PT5S")
                .hasMessageContaining("disconnectedTimeout PT5S");
    }
}
