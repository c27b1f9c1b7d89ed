package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.proxy.ExternalPortSharing;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.PortSharing;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.Test;

/**
 * The daemon's choice of port sharing for an external device ({@link Proxies#external}) with
 * fake modes: {@code proxy: auto} tries nftables, iptables, raw and user in that order and
 * takes the first that opens, the reason naming every mode passed over and why; a forced mode
 * that cannot serve is an error naming the key and file; a forced mode that opens is used
 * without trying any other.
 */
class ProxySelectionTest {
    private static final String FILE = "/etc/cunicu4j/test.yaml";

    /** A device that only has a name. */
    private static final WireGuardControl CONTROL = new WireGuardControl() {
        @Override
        public String name() {
            return "wgsel0";
        }

        @Override
        public DeviceStatus status() {
            throw new UnsupportedOperationException("not used by the selection");
        }

        @Override
        public void apply(DeviceUpdate update) {
            throw new UnsupportedOperationException("not used by the selection");
        }
    };

    /** Fake modes: each either opens a {@link FakeSharing}, or fails as told; records the order of the attempts. */
    private static final class FakeModes implements ExternalModeOpener {
        final Map<ProxyMode, Exception> failures = new EnumMap<>(ProxyMode.class);
        final List<ProxyMode> tried = new ArrayList<>();
        final List<FakeSharing> opened = new ArrayList<>();

        FakeModes unavailable(ProxyMode m, String why) {
            failures.put(m, new ProxyUnavailableException(m, why));
            return this;
        }

        FakeModes failing(ProxyMode m, Exception e) {
            failures.put(m, e);
            return this;
        }

        @Override
        public ExternalPortSharing open(ProxyMode mode, WireGuardControl control, int listenPort) throws IOException {
            assertThat(control).isSameAs(CONTROL);
            assertThat(listenPort).isEqualTo(51820);
            tried.add(mode);
            Exception e = failures.get(mode);
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            FakeSharing s = new FakeSharing(mode);
            opened.add(s);
            return s;
        }
    }

    private static final class FakeSharing implements ExternalPortSharing {
        final ProxyMode mode;
        boolean closed;

        FakeSharing(ProxyMode mode) {
            this.mode = mode;
        }

        @Override
        public ProxyMode mode() {
            return mode;
        }

        @Override
        public String reason() {
            return "the fake " + mode.configName() + " mode";
        }

        @Override
        public List<Gatherer> gatherers(GatherSettings settings) {
            return List.of();
        }

        @Override
        public PeerProxy attach(Key peer, IceAgent agent) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void listenPortChanged(int port) {}

        @Override
        public int listenPort() {
            return 51820;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static PortSharing auto(FakeModes modes) throws IOException {
        return Proxies.external(CONTROL, 51820, null, FILE, modes);
    }

    @Test
    void autoTakesNftablesFirstWhenItOpens() throws Exception {
        FakeModes modes = new FakeModes();
        PortSharing s = auto(modes);
        assertThat(modes.tried).containsExactly(ProxyMode.NFTABLES);
        assertThat(s.mode()).isEqualTo(ProxyMode.NFTABLES);
        assertThat(s.reason()).isEqualTo("auto: chose nftables: the fake nftables mode");
        assertThat(Proxies.unwrap(s)).isSameAs(modes.opened.getFirst());
        s.close();
        assertThat(modes.opened.getFirst().closed).as("closing the wrapper closes the mode").isTrue();
    }

    @Test
    void autoFallsBackInOrderAndTheReasonNamesEveryFallback() throws Exception {
        FakeModes modes = new FakeModes()
                .unavailable(ProxyMode.NFTABLES, "libnftables.so.1 not found (install libnftables1)")
                .unavailable(ProxyMode.IPTABLES, "iptables-restore not found");
        PortSharing s = auto(modes);
        assertThat(modes.tried).containsExactly(ProxyMode.NFTABLES, ProxyMode.IPTABLES, ProxyMode.RAW);
        assertThat(s.mode()).isEqualTo(ProxyMode.RAW);
        assertThat(s.reason()).isEqualTo("auto: nftables unavailable: libnftables.so.1 not found (install libnftables1); "
                + "iptables unavailable: iptables-restore not found; chose raw: the fake raw mode");
    }

    @Test
    void autoEndsWithTheUserspaceProxyWhenNoKernelModeOpens() throws Exception {
        FakeModes modes = new FakeModes()
                .unavailable(ProxyMode.NFTABLES, "no CAP_NET_ADMIN")
                .unavailable(ProxyMode.IPTABLES, "no CAP_NET_ADMIN")
                .unavailable(ProxyMode.RAW, "no CAP_NET_RAW");
        PortSharing s = auto(modes);
        assertThat(modes.tried).containsExactly(ProxyMode.NFTABLES, ProxyMode.IPTABLES, ProxyMode.RAW, ProxyMode.USER);
        assertThat(s.mode()).isEqualTo(ProxyMode.USER);
        assertThat(s.reason()).startsWith("auto: nftables unavailable: no CAP_NET_ADMIN; iptables unavailable: "
                + "no CAP_NET_ADMIN; raw unavailable: no CAP_NET_RAW; chose user: ");
        assertThat(modes.opened).hasSize(1);
    }

    @Test
    void aModeThatFailsToSetUpIsPassedOverWithItsErrorToo() throws Exception {
        FakeModes modes = new FakeModes()
                .failing(ProxyMode.NFTABLES, new IOException("nft: table inet cunicu4j-wgsel0: Operation not permitted"))
                .failing(ProxyMode.IPTABLES, new UncheckedIOException(new IOException("iptables-restore exited 4")));
        PortSharing s = auto(modes);
        assertThat(s.mode()).isEqualTo(ProxyMode.RAW);
        assertThat(s.reason()).contains("nftables failed: nft: table inet cunicu4j-wgsel0: Operation not permitted; ")
                .contains("iptables failed: ").contains("iptables-restore exited 4").contains("; chose raw: ");
    }

    @Test
    void whenNothingOpensTheErrorNamesEveryMode() {
        FakeModes modes = new FakeModes()
                .unavailable(ProxyMode.NFTABLES, "a")
                .unavailable(ProxyMode.IPTABLES, "b")
                .unavailable(ProxyMode.RAW, "c")
                .failing(ProxyMode.USER, new IOException("no ICE socket could be opened"));
        assertThatThrownBy(() -> auto(modes)).isInstanceOf(IOException.class)
                .hasMessage("no proxy mode can serve wgsel0: nftables unavailable: a; iptables unavailable: b; "
                        + "raw unavailable: c; user failed: no ICE socket could be opened");
    }

    @Test
    void aForcedModeIsTheOnlyOneTried() throws Exception {
        for (ProxyMode m : List.of(ProxyMode.USER, ProxyMode.RAW, ProxyMode.NFTABLES, ProxyMode.IPTABLES)) {
            FakeModes modes = new FakeModes();
            PortSharing s = Proxies.external(CONTROL, 51820, m, FILE, modes);
            assertThat(modes.tried).as("forced " + m).containsExactly(m);
            assertThat(s.mode()).isEqualTo(m);
            assertThat(s.reason()).isEqualTo("forced by proxy: " + m.configName() + " in " + FILE);
        }
    }

    @Test
    void aForcedModeThatCannotServeIsAnErrorNamingTheKeyAndFileWithoutFallingBack() {
        FakeModes modes = new FakeModes().unavailable(ProxyMode.IPTABLES, "iptables not found (install iptables)");
        assertThatThrownBy(() -> Proxies.external(CONTROL, 51820, ProxyMode.IPTABLES, FILE, modes))
                .isInstanceOf(DaemonException.class)
                .hasMessageStartingWith("proxy: iptables in " + FILE + " cannot serve wgsel0: iptables unavailable: "
                        + "iptables not found (install iptables)");
        assertThat(modes.tried).containsExactly(ProxyMode.IPTABLES);
    }

    @Test
    void theOrderIsTheIssues() {
        assertThat(Proxies.AUTO_ORDER).containsExactly(ProxyMode.NFTABLES, ProxyMode.IPTABLES, ProxyMode.RAW,
                ProxyMode.USER);
    }
}
