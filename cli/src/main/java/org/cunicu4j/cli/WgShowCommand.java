package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.cunicu4j.wireguard.control.WireGuardControls;
import org.cunicu4j.wireguard.uapi.UapiSockets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j wg show [ifname|all|interfaces] [dump]}: what {@code wg show} prints, read
 * through {@link WireGuardControls} (a userspace device's UAPI socket, else kernel netlink).
 * Colour only on a terminal, or as {@code WG_COLOR_MODE=always|never} says, like {@code wg}.
 * Devices are found by their UAPI sockets in {@code /var/run/wireguard}; kernel devices are
 * shown by name but not listed by {@code all}/{@code interfaces}.
 */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show WireGuard devices as wg show does: one, all, or the interface names; 'dump' for tab-separated output.")
final class WgShowCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<ifname|all|interfaces>", description = "Default: all.")
    private String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "dump", description = "Tab-separated output.")
    private String format;

    @Override
    public Integer call() throws IOException {
        if (format != null && !format.equals("dump")) {
            throw new ParameterException(spec.commandLine(), "'" + format + "' is not a show format (only 'dump')");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean dump = format != null;
        String t = target == null ? "all" : target;
        try {
            if (t.equals("interfaces")) {
                if (dump) {
                    throw new ParameterException(spec.commandLine(), "'interfaces' takes no format");
                }
                List<String> names = UapiSockets.list();
                if (!names.isEmpty()) {
                    out.print(String.join(" ", names) + "\n");
                }
                return 0;
            }
            if (t.equals("all")) {
                List<String> names = UapiSockets.list();
                int code = 0;
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    DeviceStatus s;
                    try {
                        s = status(name);
                    } catch (IOException e) {
                        err.println("show: " + e.getMessage());
                        err.flush();
                        code = 1;
                        continue;
                    }
                    if (dump) {
                        out.print(WgShowFormat.dump(name, s, true));
                    } else {
                        out.print(WgShowFormat.pretty(name, s, Instant.now(), color()));
                        if (i + 1 < names.size()) {
                            out.print("\n");
                        }
                    }
                }
                return code;
            }
            DeviceStatus s = status(t);
            out.print(dump ? WgShowFormat.dump(t, s, false) : WgShowFormat.pretty(t, s, Instant.now(), color()));
            return 0;
        } finally {
            out.flush();
        }
    }

    private static DeviceStatus status(String name) throws IOException {
        try (WireGuardControl c = WireGuardControls.open(name)) {
            return c.status();
        }
    }

    /** As wg: WG_COLOR_MODE=always|never, else colour when standard output is a terminal. */
    private static boolean color() {
        String mode = System.getenv("WG_COLOR_MODE");
        if ("always".equals(mode)) {
            return true;
        }
        if ("never".equals(mode)) {
            return false;
        }
        var console = System.console();
        return console != null && console.isTerminal();
    }
}
