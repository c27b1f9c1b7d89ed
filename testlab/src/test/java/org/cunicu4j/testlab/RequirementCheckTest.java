package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.cunicu4j.testlab.RequirementCheck.Outcome;
import org.junit.jupiter.api.Test;

class RequirementCheckTest {
    private static final Set<String> INSTALLED = Set.of("ip", "nft");

    @Test
    void runsWhenEverythingIsThere() {
        RequirementCheck c = RequirementCheck.evaluate(true, List.of("ip", "nft"), true, true, INSTALLED::contains);
        assertThat(c.outcome()).isEqualTo(Outcome.RUN);
    }

    @Test
    void aMissingToolSkipsOnALaptopNamingTheDebianPackage() {
        RequirementCheck c = RequirementCheck.evaluate(false, List.of("ip", "turnserver"), false, false,
                INSTALLED::contains);
        assertThat(c.outcome()).isEqualTo(Outcome.SKIP);
        assertThat(c.reason()).contains("'turnserver'").contains("apt-get install coturn").doesNotContain("'ip'");
    }

    @Test
    void aMissingToolFailsUnderCi() {
        RequirementCheck c = RequirementCheck.evaluate(false, List.of("wg"), true, true, INSTALLED::contains);
        assertThat(c.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(c.reason()).contains("wireguard-tools").contains("CI=true");
    }

    @Test
    void missingRootSkipsOnALaptopAndFailsUnderCi() {
        assertThat(RequirementCheck.evaluate(true, List.of(), false, false, t -> true).outcome())
                .isEqualTo(Outcome.SKIP);
        RequirementCheck ci = RequirementCheck.evaluate(true, List.of(), false, true, t -> true);
        assertThat(ci.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(ci.reason()).contains("root");
    }

    @Test
    void rootIsNotRequiredUnlessAsked() {
        assertThat(RequirementCheck.evaluate(false, List.of("ip"), false, true, INSTALLED::contains).outcome())
                .isEqualTo(Outcome.RUN);
    }
}
