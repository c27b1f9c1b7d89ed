package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.control.ControlClient;
import org.cunicu4j.wireguard.Key;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cunicu4j restart [--socket PATH] IFACE PEER}: restarts the ICE session of one peer,
 * named by its public key (base64) or by its name in the daemon's configuration. Exit 1 with
 * the reason when the daemon has no such peer.
 */
@Command(name = "restart", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Restart the ICE session of a peer (by public key or configured name).")
final class RestartCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = ControlConnect.SOCKET_DEFAULT_EXPR,
            description = ControlConnect.SOCKET_HELP)
    private Path socket;

    @Parameters(index = "0", paramLabel = "IFACE", description = "The interface.")
    private String iface;

    @Parameters(index = "1", paramLabel = "PEER", description = "The peer's public key (base64) or name.")
    private String peer;

    @Override
    public Integer call() throws IOException {
        try (ControlClient c = ControlConnect.connect(socket)) {
            Key key = resolve(c);
            if (!c.restartPeer(iface, key)) {
                throw new IOException("no peer " + StatusTable.shortKey(key) + " on " + iface);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print("restarted " + StatusTable.shortKey(key) + " on " + iface + "\n");
            out.flush();
            return 0;
        }
    }

    private Key resolve(ControlClient c) throws IOException {
        try {
            return Key.parsePublic(peer);
        } catch (IllegalArgumentException notAKey) {
            List<InterfaceStatus> ifaces = c.status().interfaces().stream().filter(i -> i.name().equals(iface)).toList();
            if (ifaces.isEmpty()) {
                throw new IOException("the daemon has no interface " + iface);
            }
            for (PeerSessionStatus p : ifaces.getFirst().peers()) {
                if (peer.equals(p.name())) {
                    return p.publicKey();
                }
            }
            throw new IOException("no peer named '" + peer + "' on " + iface + " (give its name or its public key)");
        }
    }
}
