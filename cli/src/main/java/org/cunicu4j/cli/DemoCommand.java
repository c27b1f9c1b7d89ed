package org.cunicu4j.cli;

import java.io.File;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.cunicu4j.testlab.Requirements;
import org.cunicu4j.testlab.mesh.DeviceKind;
import org.cunicu4j.testlab.mesh.Launcher;
import org.cunicu4j.testlab.mesh.MeshLab;
import org.cunicu4j.testlab.mesh.MeshPeer;
import org.cunicu4j.testlab.mesh.PingMatrix;
import org.cunicu4j.testlab.mesh.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j demo}: the README's first command. Builds a lab of network namespaces on
 * this machine (testlab's {@link MeshLab}, scenario {@link Scenario#DEMO}): a server running
 * coturn and our signaling server, alice and bob behind two endpoint-independent NATs, carol
 * behind a symmetric NAT; starts a {@code cunicu4j daemon} per peer (this jar, as a process
 * in the peer's namespace), shows progress while the mesh comes up, then prints each peer's
 * {@code cunicu4j status} and an all-pairs ping matrix through the tunnels. Runs until Ctrl-C
 * (or exits after printing with {@code --once}) and removes everything it made on exit,
 * Ctrl-C included (a shutdown hook). Exit code 0 only when every pair pings.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a three-peer mesh in network namespaces on this machine and show it working:",
            "a signaling server and coturn, alice and bob behind endpoint-independent NATs, carol behind",
            "a symmetric NAT (so her pairs relay through TURN), a cunicu4j daemon per peer.",
            "Prints progress, each peer's status and a ping matrix through the tunnels, then waits",
            "for Ctrl-C and removes everything. Needs root, iproute2, nftables, iputils-ping and coturn."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--once", description = "Exit after printing the status and the ping matrix (for tests and CI).")
    private boolean once;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long the mesh may take to connect (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Option(names = "--wireguard-go", description = "Use wireguard-go devices that the daemons adopt, instead of our own.")
    private boolean wireguardGo;

    @Option(names = "--keep-logs", paramLabel = "DIR", description = "Copy the daemons', signaling and coturn logs to DIR on exit.")
    private Path keepLogs;

    private final long t0 = System.nanoTime();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> problems = DemoPrerequisites.problems(Requirements.isRoot(), DemoPrerequisites.tunPresent(),
                wireguardGo, Requirements::findTool);
        if (!problems.isEmpty()) {
            err.println("cunicu4j demo cannot run here:");
            problems.forEach(p -> err.println("  " + p));
            err.flush();
            return 1;
        }
        Launcher launcher = ownLauncher();
        MeshLab[] holder = new MeshLab[1];
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name("demo-teardown").unstarted(() -> {
            MeshLab m;
            synchronized (holder) {
                m = holder[0];
            }
            if (m != null) {
                progress(out, "tearing down: stopping daemons and servers, removing namespaces");
                m.close();
                progress(out, "done: nothing left behind");
            }
            done.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok;
        boolean keep = false;
        MeshLab mesh = null;
        try {
            progress(out, "building the lab (network namespaces, NAT routers) — cunicu4j " + VersionInfo.version());
            mesh = MeshLab.builder(launcher).scenario(Scenario.DEMO)
                    .device(wireguardGo ? DeviceKind.WIREGUARD_GO : DeviceKind.OURS)
                    .progress(line -> progress(out, line)).keepLogsIn(keepLogs).build();
            synchronized (holder) {
                holder[0] = mesh;
            }
            mesh.start();
            progress(out, "waiting for the three daemons to find each other through the NATs");
            try {
                mesh.awaitConnected(Duration.ofSeconds(timeoutSeconds));
            } catch (AssertionError | RuntimeException e) {
                err.println("cunicu4j demo: the mesh did not come up: " + firstLine(e.getMessage()));
                err.println(e.getMessage());
                err.flush();
                return 1;
            }
            progress(out, "every peer connected to both others");
            PingMatrix pings = mesh.awaitPings(Duration.ofSeconds(20));
            if (pings.allOk()) {
                pings = mesh.pingMatrix(); // again, without the first packets' handshakes in the RTTs
                if (!pings.allOk()) {
                    pings = mesh.awaitPings(Duration.ofSeconds(10));
                }
            }
            printStatus(out, mesh);
            out.println();
            out.println("Ping through the tunnels (10.99.0.1 alice, 10.99.0.2 bob, 10.99.0.3 carol):");
            out.print(pings.format());
            out.flush();
            ok = pings.allOk();
            if (!ok) {
                err.println("cunicu4j demo: no ping between " + String.join(", ", pings.failures()));
                err.flush();
            }
            keep = ok && !once;
        } finally {
            if (!keep) {
                closeNow(hook, holder, out);
            }
        }
        if (!keep) {
            return ok ? 0 : 1;
        }
        out.println();
        out.println("The mesh is up. Look around from another terminal, e.g.:");
        MeshPeer alice = mesh.peer("alice");
        out.println("  ip netns exec " + alice.host().netns() + " ping " + mesh.peer("carol").tunnelIp());
        out.println("  bin/cunicu4j status --socket " + alice.socket());
        out.println("Press Ctrl-C to stop: everything is removed.");
        out.flush();
        done.await();
        return 0;
    }

    /** Closes the mesh now (not at exit) and unregisters the hook. */
    private void closeNow(Thread hook, MeshLab[] holder, PrintWriter out) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return; // shutting down: the hook does it
        }
        MeshLab m;
        synchronized (holder) {
            m = holder[0];
            holder[0] = null;
        }
        if (m != null) {
            progress(out, "tearing down: stopping daemons and servers, removing namespaces");
            m.close();
            progress(out, "done: nothing left behind");
        }
    }

    private void printStatus(PrintWriter out, MeshLab mesh) {
        for (MeshPeer p : mesh.peers()) {
            out.println();
            out.println("== " + p.name() + " (" + p.tunnelIp() + ", " + p.host().ip()
                    + (p.nat() == null ? "" : " behind " + p.nat().type().name().toLowerCase(Locale.ROOT).replace('_', '-')
                            + " NAT " + p.nat().outsideIp())
                    + "): cunicu4j status");
            try {
                out.print(mesh.statusText(p));
            } catch (RuntimeException e) {
                out.println("(no status: " + e.getMessage() + ")");
            }
        }
        out.flush();
    }

    private synchronized void progress(PrintWriter out, String line) {
        double s = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "[%5.1fs] %s%n", s, line);
        out.flush();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * This JVM's java with this jar (or, run from classes, this class path) and the CLI's main
     * class: how the lab starts daemons, the signaling server and status.
     */
    static Launcher ownLauncher() {
        String classPath;
        try {
            Path self = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            classPath = Files.isRegularFile(self) ? self.toString() : absoluteClassPath();
        } catch (URISyntaxException | RuntimeException e) {
            classPath = absoluteClassPath();
        }
        return Launcher.java(classPath, "-Xmx256m", "-XX:+UseSerialGC");
    }

    private static String absoluteClassPath() {
        List<String> parts = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                parts.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, parts);
    }
}
