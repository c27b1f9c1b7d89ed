package org.cunicu4j.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.config.ConfigLoader;
import org.cunicu4j.daemon.config.DaemonConfig;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.wireguard.Key;

/**
 * What the daemon tests share: writing a configuration file as the daemon wants it (0600),
 * starting a daemon from it (in a lab host's namespace or in the test's own), and finding an
 * interface or a peer in its status. Stateless.
 */
final class DaemonTests {
    private DaemonTests() {}

    /** Writes {@code yaml} to {@code <dir>/<name>.yaml}, mode 0600 (the loader refuses looser files with keys). */
    static Path writeConfig(Path dir, String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** Loads {@code file} with {@code overrides} and starts a daemon on it, interface locks in {@code lockDir}. */
    static Daemon start(Path file, Path lockDir, String... overrides) throws Exception {
        DaemonConfig cfg = ConfigLoader.load(file, Map.of(), List.of(overrides));
        return Daemon.start(cfg, List.of(), Daemon.Options.defaults().withLockDirectory(lockDir));
    }

    /** As {@link #start(Path, Path, String...)}, in {@code host}'s network namespace. */
    static Daemon start(Host host, Path file, Path lockDir, String... overrides) throws Exception {
        return NetNs.call(host.netns(), () -> start(file, lockDir, overrides));
    }

    /** As {@link #start(Host, Path, Path, String...)}, the external modes opened through {@code modes}. */
    static Daemon start(Host host, Path file, Path lockDir, ExternalModeOpener modes, String... overrides) throws Exception {
        return NetNs.call(host.netns(), () -> {
            DaemonConfig cfg = ConfigLoader.load(file, Map.of(), List.of(overrides));
            return Daemon.start(cfg, List.of(), Daemon.Options.defaults().withLockDirectory(lockDir).withExternalModes(modes));
        });
    }

    /** Why {@link #kernelModesOff()} refuses a mode. */
    static final String SWITCHED_OFF = "switched off by the test";

    /**
     * Module proxy's modes with the three kernel modes unavailable ({@link #SWITCHED_OFF}):
     * {@code proxy: auto} ends at the user-space proxy whatever this machine has.
     */
    static ExternalModeOpener kernelModesOff() {
        return (mode, control, port) -> {
            if (mode != org.cunicu4j.proxy.ProxyMode.USER) {
                throw new org.cunicu4j.proxy.ProxyUnavailableException(mode, SWITCHED_OFF);
            }
            return ExternalModeOpener.REAL.open(mode, control, port);
        };
    }

    /** The status of {@code d}'s interface {@code name}, or null. */
    static InterfaceStatus iface(Daemon d, String name) {
        return d.status().interfaces().stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
    }

    /** The status of {@code peer} on {@code d}'s interface {@code ifname}, or null. */
    static PeerSessionStatus peer(Daemon d, String ifname, Key peer) {
        InterfaceStatus i = iface(d, ifname);
        return i == null ? null : i.peers().stream().filter(p -> p.publicKey().equals(peer)).findFirst().orElse(null);
    }
}
