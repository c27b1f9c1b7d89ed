package org.cunicu4j.proxy.ipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the tools and failing with a reason when they are missing or fail; no root needed (nothing gets installed). */
class IptablesToolsTest {

    @Test
    void missingToolsMakeTheModeUnavailableWithTheReason(@TempDir Path empty) {
        assertThatThrownBy(() -> IptablesProxy.open(new NamedControl("iptmiss0"), 51820, List.of(empty)))
                .isInstanceOfSatisfying(ProxyUnavailableException.class, e -> assertThat(e.mode()).isEqualTo(ProxyMode.IPTABLES))
                .hasMessageContaining("iptables unavailable: iptables-save and iptables-restore")
                .hasMessageContaining("not found in " + empty)
                .hasMessageContaining("install the iptables package");
    }

    @Test
    void theFirstCompleteVariantIsChosenAndIpv6IsOptional(@TempDir Path dir) throws Exception {
        for (String name : List.of("iptables-legacy-save", "iptables-legacy-restore", "iptables-nft-save")) {
            script(dir, name, "exit 0");
        }
        IptablesTools t = IptablesTools.find(List.of(dir));
        assertThat(t.variant()).as("-nft lacks its restore").isEqualTo("-legacy");
        assertThat(t.restore4()).isEqualTo(dir.resolve("iptables-legacy-restore"));
        assertThat(t.hasIpv6()).isFalse();
        script(dir, "iptables-nft-restore", "exit 0");
        script(dir, "ip6tables-nft-save", "exit 0");
        script(dir, "ip6tables-nft-restore", "exit 0");
        t = IptablesTools.find(List.of(dir));
        assertThat(t.variant()).isEqualTo("-nft");
        assertThat(t.save6()).isEqualTo(dir.resolve("ip6tables-nft-save"));
    }

    @Test
    void aFailingToolMakesTheModeUnavailableWithItsErrorOutput(@TempDir Path dir) throws Exception {
        script(dir, "iptables-save", "echo 'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)' >&2; exit 4");
        script(dir, "iptables-restore", "exit 0");
        String name = "iptfail0";
        assertThatThrownBy(() -> IptablesProxy.open(new NamedControl(name), 51820, List.of(dir)))
                .isInstanceOf(ProxyUnavailableException.class)
                .hasMessageContaining("iptables-save")
                .hasMessageContaining("exited with status 4")
                .hasMessageContaining("Permission denied (you must be root)");
        Waiter.until("the worker of a failed open ends", Duration.ofSeconds(10),
                () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("iptables " + name) && t.isAlive()));
    }

    @Test
    void theRunnerKillsAToolThatHangsAndSaysSo(@TempDir Path dir) throws Exception {
        Path sleeper = script(dir, "hang", "echo started >&2; exec sleep 30");
        ToolRunner runner = new ToolRunner(Duration.ofMillis(500));
        assertThatThrownBy(() -> runner.run(List.of(sleeper.toString()), null))
                .hasMessageContaining("did not finish within 500 ms (killed)");
        assertThat(runner.run(List.of("/bin/sh", "-c", "cat; echo out"), "in\n")).isEqualTo("in\nout\n");
    }

    private static Path script(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** A control that only has a name and a listen port (nothing is applied in these tests). */
    static final class NamedControl implements WireGuardControl {
        private final String name;

        NamedControl(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DeviceStatus status() {
            return new DeviceStatus(null, 51820, 0, List.of());
        }

        @Override
        public void apply(DeviceUpdate update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setEndpoint(Key peer, InetSocketAddress endpoint) {
            throw new UnsupportedOperationException();
        }
    }
}
