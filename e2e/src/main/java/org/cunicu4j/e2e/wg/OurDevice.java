package org.cunicu4j.e2e.wg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.LabException;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WgPair;
import org.cunicu4j.testlab.WireguardGo;

/**
 * Starts cunicu4j's userspace WireGuard device in a lab host for {@link WgPair}: as a JVM of
 * its own ({@link DeviceMain} in the host's namespace, this JVM's class path), the way a
 * user runs it and the honest setup for benchmarks (its own heap, GC and JIT, scheduled
 * like wireguard-go's process). Stateless.
 */
public final class OurDevice {
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private OurDevice() {}

    /**
     * A starter that runs {@code java [jvmOptions] -cp <this class path> DeviceMain <ifname>}
     * in the host and returns once the UAPI socket exists; closing the handle (idempotent) stops the
     * process (SIGTERM, then SIGKILL), removes the socket and prints the counters the device
     * printed on its way out.
     */
    public static WgPair.Starter processStarter(List<String> jvmOptions, String... deviceArgs) {
        return (host, ifname) -> start(host, ifname, jvmOptions, List.of(deviceArgs));
    }

    private static AutoCloseable start(Host host, String ifname, List<String> jvmOptions, List<String> deviceArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        cmd.add(DeviceMain.class.getName());
        cmd.add(ifname);
        cmd.addAll(deviceArgs);
        LabProcess p = host.start(cmd.toArray(String[]::new));
        Path socket = WireguardGo.socketOf(ifname);
        Waiter.until("cunicu4j device creates " + socket, STARTUP, () -> {
            if (!p.isAlive()) {
                throw new LabException("cunicu4j device " + ifname + " in " + host + " exited:\n" + p.output());
            }
            return Files.exists(socket);
        });
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (closed.getAndSet(true)) {
                return;
            }
            p.close();
            Files.deleteIfExists(socket);
            // what the device printed on SIGTERM: its drop and handshake counters, for the record
            String out = p.output();
            out.lines().filter(l -> l.startsWith("counters ") || l.contains("Exception"))
                    .forEach(l -> System.out.println("    device " + ifname + " in " + host.name() + ": " + l));
            long other = out.lines().filter(l -> !l.startsWith("counters ") && !l.startsWith("ready ")).count();
            if (other > 0) {
                System.out.println("    device " + ifname + " in " + host.name() + " logged " + other + " more lines, the first: "
                        + out.lines().filter(l -> !l.startsWith("counters ") && !l.startsWith("ready ")).limit(3).toList());
            }
        };
    }

    private static String absoluteClassPath() {
        List<String> parts = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                parts.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }
}
