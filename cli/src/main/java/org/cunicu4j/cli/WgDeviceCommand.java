package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.uapi.UapiServer;
import org.cunicu4j.wireguard.uapi.UapiSockets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code cunicu4j wg device <ifname>}: a userspace WireGuard device in the foreground, the
 * role of {@code wireguard-go -f}. Creates the TUN interface (up, no address) and serves
 * its UAPI socket, so that {@code wg} configures it; runs until SIGINT/SIGTERM, until its
 * socket file is deleted or until its interface is removed (checked every 500 ms), then
 * removes the socket and the interface.
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Run a userspace WireGuard device in the foreground (like wireguard-go -f).",
                "Configure it with wg (wg set, wg setconf) and ip (addresses, routes).",
                "Ctrl-C or SIGTERM, deleting its socket or removing its interface stops it."})
final class WgDeviceCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<ifname>", description = "The interface to create (unique on this machine: its UAPI socket lives in /var/run/wireguard).")
    private String ifname;

    @Option(names = "--mtu", paramLabel = "<bytes>", description = "The interface MTU (default: ${DEFAULT-VALUE}).")
    private int mtu = DeviceOptions.DEFAULT_MTU;

    private final Object lock = new Object();
    private boolean stopped;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path socket = UapiSockets.socketOf(ifname); // checks the name
        if (Files.exists(socket) && !isStale(socket)) {
            throw new FileAlreadyExistsException(socket.toString(), null, "a live UAPI socket: another device owns the name " + ifname);
        }
        Device device = Device.create(ifname, DeviceOptions.defaults().withMtu(mtu));
        UapiServer server;
        try {
            server = UapiServer.start(ifname, device);
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop(server, device);
            done.countDown();
        }, "wg-device-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("interface: " + ifname);
        out.println("uapi socket: " + server.socket());
        out.flush();
        while (!done.await(500, TimeUnit.MILLISECONDS)) {
            String why = !Files.exists(socket) ? socket + " was deleted"
                    : !interfaceExists(ifname) ? "interface " + ifname + " was removed" : null;
            if (why != null) {
                spec.commandLine().getErr().println("device: " + why + ", stopping");
                spec.commandLine().getErr().flush();
                Runtime.getRuntime().removeShutdownHook(hook);
                stop(server, device);
                return 0;
            }
        }
        return 0;
    }

    /** Whether the interface is still in this process's network namespace (an error counts as yes). */
    private static boolean interfaceExists(String ifname) {
        try {
            return java.net.NetworkInterface.getByName(ifname) != null;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private static boolean isStale(Path socket) {
        try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private void stop(UapiServer server, Device device) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        server.close();
        device.close();
    }
}
