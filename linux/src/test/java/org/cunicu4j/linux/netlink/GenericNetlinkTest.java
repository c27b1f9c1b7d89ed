package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.cunicu4j.linux.LinuxException;
import org.junit.jupiter.api.Test;

class GenericNetlinkTest {

    @Test
    void resolvesTheControllerAndNoFamilyForAnUnknownName() throws Exception {
        try (GenericNetlink nl = GenericNetlink.open()) {
            // the controller resolves itself to its fixed id
            assertThat(nl.familyId("nlctrl")).isEqualTo(OptionalInt.of(GenericNetlink.GENL_ID_CTRL));
            assertThat(nl.familyId("c4jnofamily")).isEmpty();
            assertThatThrownBy(() -> nl.familyId("a-name-over-15-bytes")).isInstanceOf(IllegalArgumentException.class);
            // a command the controller does not have: the kernel's refusal names the request
            assertThatThrownBy(() -> nl.request(GenericNetlink.GENL_ID_CTRL, 250, 1, false, new byte[0], "CTRL_CMD_250"))
                    .isInstanceOf(LinuxException.class).hasMessageStartingWith("CTRL_CMD_250: EOPNOTSUPP");
        }
    }
}
