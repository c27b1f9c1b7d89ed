package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.cunicu4j.daemon.config.ConfigLoader;
import org.cunicu4j.daemon.config.DaemonConfig;
import org.cunicu4j.daemon.config.InterfaceConfig;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.Launcher;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.Scenario;
import org.junit.jupiter.api.Test;

/** The configs the mesh lab (and so the demo) writes are what the daemon's loader accepts and means. */
@RequiresRoot
@RequiresTools({"ip", "nft"})
class MeshConfigLoadTest {

    @Test
    void everyPeersConfigLoadsWithItsKeyPeersAddressesAndServers() {
        for (DeviceKind kind : DeviceKind.values()) {
            try (MeshLab mesh = MeshLab.builder(DemoCommand.ownLauncher()).scenario(Scenario.ONE_SWITCH).device(kind)
                    .ice("check_interval", "100ms").build()) {
                for (MeshPeer p : mesh.peers()) {
                    DaemonConfig cfg = ConfigLoader.load(p.configFile(), Map.of(), List.of());
                    assertThat(cfg.backends()).containsExactly(MeshLab.signalingUrl());
                    assertThat(cfg.rpcSocket()).isEqualTo(p.socket());
                    assertThat(cfg.explicitInterfaces()).containsExactly(p.ifname());
                    InterfaceConfig ic = cfg.interfaceConfig(p.ifname());
                    assertThat(ic.userspace()).as("userspace of %s", kind).isEqualTo(kind == DeviceKind.OURS);
                    assertThat(ic.privateKey().publicKey().toBase64()).isEqualTo(p.publicKey());
                    assertThat(ic.listenPort()).isEqualTo(MeshLab.WIREGUARD_PORT);
                    assertThat(ic.addresses()).hasSize(2);
                    List<MeshPeer> others = mesh.peers().stream().filter(q -> q != p).toList();
                    assertThat(ic.peers().keySet()).containsExactlyElementsOf(others.stream().map(MeshPeer::name).toList());
                    for (MeshPeer q : others) {
                        assertThat(ic.peers().get(q.name()).publicKey().toBase64()).isEqualTo(q.publicKey());
                        assertThat(ic.peers().get(q.name()).allowedIps()).hasSize(2);
                    }
                    assertThat(ic.ice().urls()).hasSize(2);
                    assertThat(ic.ice().username()).isEqualTo(MeshLab.TURN_USER);
                    assertThat(ic.ice().password()).isNotBlank();
                    assertThat(ic.ice().checkInterval()).hasMillis(100);
                    assertThat(ic.ice().interfacesExclude()).containsExactly("c4j*", "wg*");
                    assertThat(ic.toString()).doesNotContain(ic.privateKey().toBase64());
                }
            }
        }
    }

    @Test
    void theLauncherUnusedByBuildIsStillTheCli() {
        Launcher l = DemoCommand.ownLauncher();
        assertThat(l.command("status")).endsWith("org.cunicu4j.cli.Main", "status");
    }
}
