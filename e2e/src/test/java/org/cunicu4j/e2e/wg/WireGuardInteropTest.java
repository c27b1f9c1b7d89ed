package org.cunicu4j.e2e.wg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WgPair;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceCounters;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.device.Timing;
import org.junit.jupiter.api.Test;

/**
 * Our device against wireguard-go and against itself, each in a namespace of its own over a
 * veth, both configured only with {@code wg} through the UAPI socket ({@link WgPair}): ping
 * both ways over IPv4 and IPv6 inside the tunnel, 100 MB over TCP with the SHA-256 of both
 * ends compared, a rekey forced by shortened timers in the middle of a transfer, and roaming
 * of the other side (a new address, a new port) followed by our device.
 */
@RequiresRoot
@RequiresTools({"ip", "wg", "wireguard-go", "ping"})
class WireGuardInteropTest {
    private static final Duration UP = Duration.ofSeconds(15);
    private static final long HUNDRED_MB = 100L * 1000 * 1000;
    private static final Duration TRANSFER_DEADLINE = Duration.ofSeconds(120);

    @Test
    void oursAndWireguardGoPingBothWaysOverIpv4AndIpv6AndMove100MegabytesEachWay() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults()), WgPair.WIREGUARD_GO);
            pingsBothWays(pair);

            transfer(pair.a().host(), pair.b().host(), WgPair.TUNNEL_B, 7001, HUNDRED_MB, 1);
            transfer(pair.b().host(), pair.a().host(), WgPair.TUNNEL_A, 7002, HUNDRED_MB, 2);

            Device ours = InJvmDevice.of(pair.a());
            var peer = ours.status().peers().getFirst();
            assertThat(peer.txBytes()).as("bytes our device sent to wireguard-go").isGreaterThan(HUNDRED_MB);
            assertThat(peer.rxBytes()).as("bytes our device received from wireguard-go").isGreaterThan(HUNDRED_MB);
            assertThat(pair.b().wg("show", pair.b().ifname(), "latest-handshakes").stdout())
                    .as("wireguard-go saw a handshake with us").doesNotContain("\t0\n");
        }
    }

    @Test
    void oursAgainstOursPingsBothWaysOverIpv4AndIpv6AndMoves100Megabytes() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults()),
                    InJvmDevice.starter(DeviceOptions.defaults()));
            pingsBothWays(pair);
            transfer(pair.a().host(), pair.b().host(), WgPair.TUNNEL_B, 7003, HUNDRED_MB, 3);
            DeviceCounters rx = InJvmDevice.of(pair.b()).counters();
            assertThat(rx.transportPacketsReceived()).as("b's transport packets (100 MB / 1420)").isGreaterThan(70_000);
        }
    }

    @Test
    void aRekeyForcedByShortenedTimersKeepsATransferToWireguardGoGoing() throws Exception {
        // wireguard-go has no knob for its timers: ours (the sender, so the initiator of rekeys) gets short
        // ones; rekey-timeout (the least time between two initiations) too, else rekeys come 5 s apart, and
        // reject-after-time so a rekey that failed would stall the transfer
        Timing shortTimers = Timing.DEFAULT.withRekeyAfterMessages(10_000).withRekeyAfterTime(Duration.ofSeconds(1))
                .withRekeyTimeout(Duration.ofMillis(200)).withRejectAfterTime(Duration.ofSeconds(5));
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults().withTiming(shortTimers)),
                    WgPair.WIREGUARD_GO);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL_B, UP);
            Device ours = InJvmDevice.of(pair.a());
            long handshakesBefore = ours.counters().handshakesCompleted();

            transfer(pair.a().host(), pair.b().host(), WgPair.TUNNEL_B, 7004, HUNDRED_MB, 4);

            long rekeys = ours.counters().handshakesCompleted() - handshakesBefore;
            assertThat(rekeys).as("handshakes during 100 MB (≈70,000 packets) with a rekey every 10,000 messages")
                    .isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void ourDeviceFollowsWireguardGoWhenItChangesAddressAndPort() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults()), WgPair.WIREGUARD_GO);
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, UP);
            assertThat(pair.a().peerEndpoint()).isEqualTo(WgPair.UNDERLAY_B + ":" + WgPair.PORT_B);

            pair.moveB("10.200.0.3");
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, UP);
            assertThat(pair.a().peerEndpoint()).as("endpoint after wireguard-go moved to 10.200.0.3")
                    .isEqualTo("10.200.0.3:" + WgPair.PORT_B);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL_B, UP); // and our replies reach it there

            pair.rebindB(51899);
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL6_A, UP);
            assertThat(pair.a().peerEndpoint()).as("endpoint after wireguard-go changed its port")
                    .isEqualTo("10.200.0.3:51899");
            transfer(pair.a().host(), pair.b().host(), WgPair.TUNNEL_B, 7005, 10_000_000, 5);
        }
    }

    @Test
    void ourDeviceFollowsOurDeviceWhenItChangesAddress() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults()),
                    InJvmDevice.starter(DeviceOptions.defaults()));
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, UP);
            pair.moveB("10.200.0.3");
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL_A, UP);
            assertThat(pair.a().peerEndpoint()).isEqualTo("10.200.0.3:" + WgPair.PORT_B);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL6_B, UP);
        }
    }

    @Test
    void ourDeviceAsAProcessOfItsOwnAsTheBenchmarkRunsItPingsWireguardGoAndStopsCleanly() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, OurDevice.processStarter(java.util.List.of("-Xmx256m")), WgPair.WIREGUARD_GO);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL_B, UP);
            WgPair.awaitPing(pair.b().host(), WgPair.TUNNEL6_A, UP);
            assertThat(pair.a().wg("show", pair.a().ifname()).stdout()).contains("latest handshake");

            pair.a().handle().close(); // SIGTERM: the device removes its interface and its socket
            assertThat(pair.a().host().exec("ip", "link", "show", pair.a().ifname()).ok())
                    .as("the interface is gone with the process").isFalse();
            assertThat(org.cunicu4j.testlab.WireguardGo.socketOf(pair.a().ifname())).doesNotExist();
        }
    }

    private static void pingsBothWays(WgPair pair) {
        Host a = pair.a().host();
        Host b = pair.b().host();
        WgPair.awaitPing(a, WgPair.TUNNEL_B, UP);
        WgPair.awaitPing(b, WgPair.TUNNEL_A, UP);
        WgPair.awaitPing(a, WgPair.TUNNEL6_B, UP);
        WgPair.awaitPing(b, WgPair.TUNNEL6_A, UP);
        // once up, nothing is lost on an idle veth
        assertThat(WgPair.pingTimes(a, WgPair.TUNNEL_B, 20, "0.01")).hasSize(20);
        assertThat(WgPair.pingTimes(b, WgPair.TUNNEL6_A, 20, "0.01")).hasSize(20);
    }

    private static TcpTransfer.Result transfer(Host from, Host to, String toIp, int port, long bytes, long seed)
            throws Exception {
        TcpTransfer.Result r = TcpTransfer.run(from, to, toIp, port, bytes, seed, TRANSFER_DEADLINE);
        System.out.printf("transfer %s -> %s: %d bytes in %s (%.0f Mbit/s)%n", from.name(), to.name(),
                r.receivedBytes(), r.took(), r.mbitPerSecond());
        assertThat(r.receivedBytes()).isEqualTo(bytes);
        assertThat(r.receivedSha256()).as("SHA-256 of what arrived").isEqualTo(r.sentSha256());
        return r;
    }
}
