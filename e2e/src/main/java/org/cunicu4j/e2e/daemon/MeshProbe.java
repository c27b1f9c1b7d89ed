package org.cunicu4j.e2e.daemon;

import java.time.Duration;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.PingMatrix;
import org.cunicu4j.testlab.mesh.Scenario;

/**
 * A developer's look at one mesh, outside JUnit: builds and starts it, waits until connected
 * (or the timeout), then prints the ping matrix, every daemon's {@code status --json} and, when
 * something failed, the mesh's diagnostics (statuses and daemon logs); closes everything.
 *
 * <p>Usage (root): {@code MeshProbe [SCENARIO] [OURS|WIREGUARD_GO] [TIMEOUT_SECONDS]}, default
 * {@code ONE_SWITCH OURS 60}.
 */
public final class MeshProbe {
    private MeshProbe() {}

    public static void main(String[] args) {
        Scenario scenario = args.length > 0 ? Scenario.valueOf(args[0]) : Scenario.ONE_SWITCH;
        DeviceKind kind = args.length > 1 ? DeviceKind.valueOf(args[1]) : DeviceKind.OURS;
        Duration timeout = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 60);
        boolean ok = false;
        try (MeshLab mesh = Meshes.start(scenario, kind)) {
            try {
                mesh.awaitConnected(timeout);
                PingMatrix pings = mesh.awaitPings(Duration.ofSeconds(10));
                System.out.println(pings.format());
                for (MeshPeer p : mesh.peers()) {
                    System.out.println(p.name() + ": " + mesh.statusJson(p));
                }
                ok = pings.allOk();
            } catch (RuntimeException | AssertionError e) {
                System.out.println("FAILED: " + e);
            }
            if (!ok) {
                System.out.println(mesh.diagnostics());
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
