package org.cunicu4j.testlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "wireguard-go", "wg"})
class WireguardGoTest {

    @Test
    void startsInAHostAnswersWgShowAndCloseStopsItAndRemovesTheSocket() {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            WireguardGo wg = WireguardGo.start(h);
            String ifname = wg.interfaceName();
            assertThat(ifname).startsWith("wgl" + ProcessHandle.current().pid() + "n").hasSizeLessThanOrEqualTo(15);
            assertThat(wg.socket()).exists();

            wg.wg("set", ifname, "listen-port", "51820");
            assertThat(wg.wg("show", ifname).stdout()).contains("interface: " + ifname).contains("listening port: 51820");
            assertThat(h.run("ip", "link", "show", ifname).stdout()).contains(ifname);
            assertThat(Exec.run("ip", "link", "show", ifname).ok()).as("the interface is not in the root namespace").isFalse();

            long pid = wg.process().pid();
            wg.close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(wg.socket()).doesNotExist();
        }
    }

    @Test
    void labCloseStopsEveryWireguardGoAndRemovesTheirSockets() {
        long pidA;
        long pidB;
        Path sockA;
        Path sockB;
        try (Lab lab = Lab.open()) {
            WireguardGo a = WireguardGo.start(lab.host("a"));
            WireguardGo b = WireguardGo.start(lab.host("b"));
            assertThat(a.interfaceName()).isNotEqualTo(b.interfaceName());
            pidA = a.process().pid();
            pidB = b.process().pid();
            sockA = a.socket();
            sockB = b.socket();
            assertThat(Files.exists(sockA) && Files.exists(sockB)).isTrue();
        }
        assertThat(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ProcessHandle.of(pidB).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(sockA).doesNotExist();
        assertThat(sockB).doesNotExist();
    }
}
