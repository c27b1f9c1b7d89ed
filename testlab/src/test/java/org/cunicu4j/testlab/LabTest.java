package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "ping"})
class LabTest {

    @Test
    void twoLinkedHostsPingEachOtherAndCloseRemovesTheirNamespaces() {
        String nsA;
        try (Lab lab = Lab.open()) {
            Host a = lab.host("a");
            Host b = lab.host("b");
            lab.link(a, "10.99.0.1/24", b, "10.99.0.2/24");
            nsA = a.netns();
            assertThat(a.exec("ping", "-c", "1", "-W", "2", "10.99.0.2").exitCode()).isZero();
            assertThat(Exec.run("ip", "netns", "list").stdout()).contains(nsA);
        }
        assertThat(Exec.run("ip", "netns", "list").stdout()).doesNotContain(nsA);
    }
}
