package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void hostsOnASwitchReachEachOtherAndRecordTheirAddresses() {
        try (Lab lab = Lab.open()) {
            Switch sw = lab.switchNamed("lan");
            Host a = lab.host("a");
            Host b = lab.host("b");
            Host c = lab.host("c");
            lab.attach(a, sw, "10.98.0.1/24");
            lab.attach(b, sw, "10.98.0.2/24", "fd98::2/64");
            lab.attach(c, sw, "10.98.0.3/24");
            assertThat(a.exec("ping", "-c", "1", "-W", "2", "10.98.0.2").exitCode()).isZero();
            assertThat(c.exec("ping", "-c", "1", "-W", "2", "10.98.0.1").exitCode()).isZero();
            assertThat(b.addresses()).containsExactly("10.98.0.2/24", "fd98::2/64");
            assertThat(b.ip()).isEqualTo("10.98.0.2");
            assertThat(Exec.run("ip", "-n", sw.netns(), "link", "show", "master", Switch.BRIDGE).stdout())
                    .contains("eth0").contains("eth1").contains("eth2");
        }
    }

    @Test
    void namesAreCheckedAndUniqueWithinALab() {
        try (Lab lab = Lab.open()) {
            lab.host("a");
            assertThatThrownBy(() -> lab.switchNamed("a")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already");
            assertThatThrownBy(() -> lab.host("Bad-Name")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[a-z0-9]");
        }
    }
}
