package org.cunicu4j.daemon.autocfg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cunicu4j.daemon.DaemonException;
import org.cunicu4j.daemon.config.IceSettings;
import org.cunicu4j.daemon.config.InterfaceConfig;
import org.cunicu4j.daemon.config.PortRange;
import org.cunicu4j.linux.netlink.RtNetlink;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What AutoConfig decides without touching a link: keys, ports, device updates, peers' allowed IPs, the MTU rule. */
class AutoConfigTest {
    private RtNetlink rt; // opened, never asked anything in these tests

    @BeforeEach
    void open() throws Exception {
        rt = RtNetlink.open();
    }

    @AfterEach
    void close() {
        rt.close();
    }

    @Test
    void aConfiguredKeyWinsThenTheDevicesThenANewOne() {
        Key configured = Key.generatePrivate();
        Key onDevice = Key.generatePrivate();
        AutoConfig withKey = new AutoConfig(AutoConfig.Settings.DEFAULT.withPrivateKey(configured), rt);
        AutoConfig without = new AutoConfig(AutoConfig.Settings.DEFAULT, rt);

        assertThat(withKey.privateKey("wg0", onDevice)).isSameAs(configured);
        assertThat(without.privateKey("wg0", onDevice)).isSameAs(onDevice);
        Key a = without.privateKey("wg0", null);
        Key b = without.privateKey("wg0", null);
        assertThat(a.type()).isEqualTo(Key.Type.PRIVATE);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.bytes()[0] & 7).as("clamped").isZero();
    }

    @Test
    void aConfiguredPortWinsThenTheDevicesThenTheRange() throws Exception {
        AutoConfig fixed = new AutoConfig(AutoConfig.Settings.DEFAULT.withListenPort(51999), rt);
        AutoConfig ranged = new AutoConfig(AutoConfig.Settings.DEFAULT, rt);
        assertThat(fixed.listenPort(0)).isEqualTo(51999);
        assertThat(fixed.listenPort(40000)).isEqualTo(51999);
        assertThat(ranged.listenPort(40000)).isEqualTo(40000);

        // the range, in this (shared) namespace: one-port ranges of an ephemeral port that is
        // held (taken) and of one just released (free), so other processes do not interfere
        try (DatagramChannel held = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            held.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), 0));
            int taken = ((InetSocketAddress) held.getLocalAddress()).getPort();
            int free;
            try (DatagramChannel released = DatagramChannel.open(StandardProtocolFamily.INET6)) {
                released.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), 0));
                free = ((InetSocketAddress) released.getLocalAddress()).getPort();
            }
            AutoConfig onFree = new AutoConfig(AutoConfig.Settings.DEFAULT.withListenPortRange(new PortRange(free, free)), rt);
            assertThat(onFree.listenPort(0)).as("a device without a port gets the range's free port").isEqualTo(free);
            AutoConfig onTaken = new AutoConfig(new AutoConfig.Settings(null, null, new PortRange(taken, taken),
                    DerivedAddresses.DEFAULT_PREFIXES, null, "test.yaml"), rt);
            assertThatThrownBy(() -> onTaken.listenPort(0)).isInstanceOf(DaemonException.class)
                    .hasMessage("no free UDP port in listen_port_range " + taken + "-" + taken + " (test.yaml)");
        }
    }

    @Test
    void settingsAreCheckedAndNeverShowTheKey() {
        Key k = Key.generatePrivate();
        AutoConfig.Settings s = AutoConfig.Settings.DEFAULT.withPrivateKey(k);
        assertThat(s.toString()).contains("privateKey=***").doesNotContain(k.toBase64())
                .contains("prefixes=[fc2f:9a4d:0:0:0:0:0:0/32, 10.237.0.0/16]").contains("mtu=detect");
        assertThatThrownBy(() -> AutoConfig.Settings.DEFAULT.withPrivateKey(k.publicKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("private_key must be a private key, got a PUBLIC key");
        assertThatThrownBy(() -> AutoConfig.Settings.DEFAULT.withMtu(100))
                .hasMessage("mtu must be 576..65535, got 100");
        assertThatThrownBy(() -> AutoConfig.Settings.DEFAULT.withListenPort(70000))
                .hasMessage("listen_port must be 1..65535, got 70000");
    }

    @Test
    void anMtuBelow1280IsRefusedWhenAPrefixIsIpv6() {
        assertThatThrownBy(() -> AutoConfig.Settings.DEFAULT.withMtu(1279))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mtu must be at least 1280 when prefixes has an IPv6 prefix (fc2f:9a4d:0:0:0:0:0:0/32): "
                        + "the kernel removes a link's IPv6 addresses below it; got mtu 1279 (defaults)");
        AutoConfig.Settings v4only = AutoConfig.Settings.DEFAULT.withPrefixes(List.of(IpPrefix.parse("10.237.0.0/16")));
        assertThat(v4only.withMtu(1200).mtu()).isEqualTo(1200);
        assertThat(AutoConfig.Settings.DEFAULT.withMtu(1280).mtu()).isEqualTo(1280);
        assertThatThrownBy(() -> v4only.withMtu(1200).withPrefixes(DerivedAddresses.DEFAULT_PREFIXES))
                .hasMessageStartingWith("mtu must be at least 1280");
    }

    @Test
    void anAdoptedDeviceWithoutKeyOrPortGetsBothInOneUpdate() throws Exception {
        FakeControl control = new FakeControl(new DeviceStatus(null, 0, 0, List.of()));
        AutoConfig ac = new AutoConfig(AutoConfig.Settings.DEFAULT.withListenPort(51830), rt);

        AutoConfig.DeviceKeys keys = ac.configureDevice(control);

        assertThat(keys.previousPublicKey()).isNull();
        assertThat(keys.changed()).as("no key before: no addresses to move").isFalse();
        assertThat(control.updates).singleElement().satisfies(u -> {
            assertThat(u.privateKey()).isNotNull();
            assertThat(u.privateKey().publicKey()).isEqualTo(keys.publicKey());
            assertThat(u.listenPort()).isEqualTo(51830);
            assertThat(u.peers()).isEmpty();
        });
    }

    @Test
    void anAdoptedDeviceThatHasEverythingIsLeftAlone() throws Exception {
        Key k = Key.generatePrivate();
        FakeControl control = new FakeControl(new DeviceStatus(k, 51820, 0, List.of()));
        AutoConfig ac = new AutoConfig(AutoConfig.Settings.DEFAULT, rt);

        AutoConfig.DeviceKeys same = ac.configureDevice(control);
        assertThat(same).isEqualTo(new AutoConfig.DeviceKeys(k.publicKey(), k.publicKey()));
        assertThat(same.changed()).isFalse();
        assertThat(control.updates).isEmpty();

        // a configured key that differs replaces the device's (the caller moves the addresses); the port stays
        Key configured = Key.generatePrivate();
        AutoConfig.DeviceKeys replaced = new AutoConfig(AutoConfig.Settings.DEFAULT.withPrivateKey(configured), rt)
                .configureDevice(control);
        assertThat(replaced).isEqualTo(new AutoConfig.DeviceKeys(k.publicKey(), configured.publicKey()));
        assertThat(replaced.changed()).isTrue();
        assertThat(control.updates).singleElement().satisfies(u -> {
            assertThat(u.privateKey()).isEqualTo(configured);
            assertThat(u.listenPort()).isNull();
        });
    }

    @Test
    void aPeersDerivedHostAddressesGoIntoItsAllowedIpsAsAnUpdateOnly() throws Exception {
        FakeControl control = new FakeControl(new DeviceStatus(null, 0, 0, List.of()));
        Key peer = Key.generatePrivate().publicKey();
        AutoConfig ac = new AutoConfig(AutoConfig.Settings.DEFAULT, rt);

        List<IpPrefix> added = ac.peerAdded(control, peer);

        List<IpPrefix> derived = DerivedAddresses.addresses(peer, DerivedAddresses.DEFAULT_PREFIXES);
        assertThat(added).containsExactly(new IpPrefix(derived.get(0).address(), 128),
                new IpPrefix(derived.get(1).address(), 32));
        PeerUpdate u = control.updates.getFirst().peers().getFirst();
        assertThat(u.publicKey()).isEqualTo(peer);
        assertThat(u.updateOnly()).as("a peer removed meanwhile is not re-created").isTrue();
        assertThat(u.replaceAllowedIps()).as("the peer's other allowed IPs stay").isFalse();
        assertThat(u.remove()).isFalse();
        assertThat(u.endpoint()).isNull();
        assertThat(u.allowedIps()).isEqualTo(added);

        // no prefixes: nothing to add, nothing applied
        FakeControl none = new FakeControl(new DeviceStatus(null, 0, 0, List.of()));
        assertThat(new AutoConfig(AutoConfig.Settings.DEFAULT.withPrefixes(List.of()), rt).peerAdded(none, peer)).isEmpty();
        assertThat(none.updates).isEmpty();
    }

    @Test
    void theMtuRuleIsWgQuicksButNeverBelow1280UnlikeWgQuick() {
        assertThat(MtuDetection.choose(1500, "x").mtu()).isEqualTo(1420);
        assertThat(MtuDetection.choose(9000, "x").mtu()).isEqualTo(8920);
        assertThat(MtuDetection.choose(1360, "x").mtu()).isEqualTo(1280);
        MtuDetection.Detected low = MtuDetection.choose(1300, "route to endpoint 192.0.2.1 has mtu 1300");
        assertThat(low.mtu()).isEqualTo(1280);
        assertThat(low.reason()).isEqualTo("route to endpoint 192.0.2.1 has mtu 1300, minus 80 is below 1280: raised to 1280");
    }

    @Test
    void aConfiguredMtuIsUsedWithoutLookingAtRoutes() throws Exception {
        AutoConfig ac = new AutoConfig(AutoConfig.Settings.DEFAULT.withMtu(1380), rt);
        assertThat(ac.mtu(List.of(new InetSocketAddress("192.0.2.1", 1).getAddress()))).isEqualTo(1380);
    }

    @Test
    void settingsComeFromAnInterfaceConfig() {
        Key k = Key.generatePrivate();
        InterfaceConfig cfg = new InterfaceConfig(k, 51900, new PortRange(51900, 51910), true, 1380, List.of(), Map.of(),
                IceSettings.DEFAULT, Optional.empty());
        AutoConfig.Settings s = AutoConfig.Settings.from(cfg, List.of(IpPrefix.parse("10.1.0.0/16")), "/etc/cunicu4j.yaml");
        assertThat(s).isEqualTo(new AutoConfig.Settings(k, 51900, new PortRange(51900, 51910),
                List.of(IpPrefix.parse("10.1.0.0/16")), 1380, "/etc/cunicu4j.yaml"));
        assertThat(AutoConfig.Settings.from(InterfaceConfig.DEFAULT, DerivedAddresses.DEFAULT_PREFIXES, "defaults"))
                .as("cunicu4j's default listen_port_range and prefixes").isEqualTo(AutoConfig.Settings.DEFAULT);
        assertThat(AutoConfig.Settings.DEFAULT.listenPortRange()).isEqualTo(PortRange.DEFAULT);
    }

    /** A WireGuardControl that records updates and reports a fixed status. */
    static final class FakeControl implements WireGuardControl {
        final List<DeviceUpdate> updates = new ArrayList<>();
        private final DeviceStatus status;

        FakeControl(DeviceStatus status) {
            this.status = status;
        }

        @Override
        public String name() {
            return "fake0";
        }

        @Override
        public DeviceStatus status() {
            return status;
        }

        @Override
        public void apply(DeviceUpdate update) throws IOException {
            updates.add(update);
        }
    }
}
