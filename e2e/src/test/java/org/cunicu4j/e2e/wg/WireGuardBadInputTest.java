package org.cunicu4j.e2e.wg;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.LabProcess;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.testlab.WgPair;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.crypto.Blake2s;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceCounters;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.device.DropReason;
import org.junit.jupiter.api.Test;

/**
 * Hostile input at our device's listen port, in the lab, with wireguard-go as the real peer:
 * truncated, random, replayed (captured with tcpdump) and out-of-window datagrams, an
 * unknown peer and bad MACs are each counted under their reason and the tunnel keeps
 * working; replays from another address do not move the peer's endpoint. Under a flood of
 * initiations (valid MAC1, from another address) the device answers with cookie replies and
 * the real peer still connects.
 */
@RequiresRoot
@RequiresTools({"ip", "wg", "wireguard-go", "ping", "tcpdump"})
class WireGuardBadInputTest {
    private static final Duration UP = Duration.ofSeconds(15);
    private static final String ATTACKER_IP = "10.200.0.9";

    @Test
    void truncatedRandomReplayedOutOfWindowAndUnknownPeerDatagramsAreCountedAndTheTunnelKeepsWorking() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults()), WgPair.WIREGUARD_GO);
            Host a = pair.a().host();
            Host b = pair.b().host();
            Device ours = InJvmDevice.of(pair.a());
            WgPair.awaitPing(b, WgPair.TUNNEL_A, UP);
            List<byte[]> captured = captureTransportFromB(pair, 10);
            assertThat(captured).allMatch(p -> p[0] == 4 && p.length >= 32);

            b.addAddress(pair.underlay().ifB(), ATTACKER_IP + "/24");
            InetSocketAddress target = new InetSocketAddress(WgPair.UNDERLAY_A, WgPair.PORT_A);
            try (DatagramChannel attacker = NetNs.call(b.netns(),
                    () -> DatagramChannel.open().bind(new InetSocketAddress(ATTACKER_IP, 0)))) {
                DeviceCounters before = ours.counters();
                long foreignBefore = InJvmDevice.bindCounters(pair.a()).droppedForeign();

                // replays of what the device just accepted, from another address
                captured.forEach(p -> send(attacker, target, p));
                // truncated: shorter than any message, and each type one byte short
                int[] shortLengths = {1, 3, 4, 31, 147, 91, 63};
                int[] shortTypes = {1, 4, 4, 4, 1, 2, 3};
                for (int i = 0; i < shortLengths.length; i++) {
                    byte[] p = new byte[shortLengths[i]];
                    p[0] = (byte) shortTypes[i];
                    send(attacker, target, p);
                }
                // random: an unknown type (or non-zero reserved bytes), and transport to random receivers
                for (int i = 0; i < 200; i++) {
                    byte[] p = new byte[32 + random.nextInt(1369)];
                    random.nextBytes(p);
                    p[0] = (byte) (5 + random.nextInt(251));
                    send(attacker, target, p);
                    byte[] t = new byte[32 + random.nextInt(1369)];
                    random.nextBytes(t);
                    t[0] = 4;
                    t[1] = t[2] = t[3] = 0;
                    send(attacker, target, t);
                }
                // an initiation of random bytes: its MAC1 is wrong
                byte[] init = new byte[148];
                random.nextBytes(init);
                init[0] = 1;
                init[1] = init[2] = init[3] = 0;
                send(attacker, target, init);

                awaitDropped(ours, before, DropReason.REPLAYED, captured.size(), seed);
                // the Bind passes on only what looks like WireGuard (type, reserved bytes, size): the
                // truncated and unknown-type datagrams are dropped and counted there (no foreign handler)
                int notWireGuard = shortLengths.length + 200;
                Waiter.until(notWireGuard + " more datagrams dropped as not WireGuard by the Bind (seed " + seed + ")", UP,
                        () -> InJvmDevice.bindCounters(pair.a()).droppedForeign() - foreignBefore
                                + ours.counters().dropped(DropReason.TRUNCATED) - before.dropped(DropReason.TRUNCATED)
                                + ours.counters().dropped(DropReason.UNKNOWN_TYPE) - before.dropped(DropReason.UNKNOWN_TYPE)
                                >= notWireGuard);
                awaitDropped(ours, before, DropReason.UNKNOWN_RECEIVER, 200, seed);
                awaitDropped(ours, before, DropReason.BAD_MAC, 1, seed);

                // out of window: once more than the window (8,128) of newer packets came from b
                TcpTransfer.Result r = TcpTransfer.run(b, a, WgPair.TUNNEL_A, 7101, 20_000_000, seed, Duration.ofSeconds(60));
                assertThat(r.receivedSha256()).isEqualTo(r.sentSha256());
                captured.forEach(p -> send(attacker, target, p));
                awaitDropped(ours, before, DropReason.OUT_OF_WINDOW, captured.size(), seed);
            }

            // an unknown peer: a second wireguard-go in b, with a key our device does not know
            WireguardGo stranger = WireguardGo.start(b);
            Path key = lab.workDir().resolve("stranger.key");
            java.nio.file.Files.writeString(key, b.run("wg", "genkey").stdout());
            stranger.wg("set", stranger.interfaceName(), "private-key", key.toString(), "peer", pair.a().publicKey(),
                    "allowed-ips", "10.11.0.1/32", "endpoint", WgPair.UNDERLAY_A + ":" + WgPair.PORT_A);
            b.run("ip", "addr", "add", "10.11.0.2/24", "dev", stranger.interfaceName());
            b.run("ip", "link", "set", stranger.interfaceName(), "up");
            DeviceCounters beforeStranger = ours.counters();
            b.exec("ping", "-c", "1", "-W", "1", "10.11.0.1");
            awaitDropped(ours, beforeStranger, DropReason.HANDSHAKE_INVALID, 1, seed);

            // the loops still run and the real peer did not move
            WgPair.awaitPing(a, WgPair.TUNNEL_B, UP);
            WgPair.awaitPing(b, WgPair.TUNNEL6_A, UP);
            assertThat(pair.a().peerEndpoint()).as("replays from " + ATTACKER_IP + " must not move the endpoint")
                    .isEqualTo(WgPair.UNDERLAY_B + ":" + WgPair.PORT_B);
        }
    }

    @Test
    void underAHandshakeFloodTheDeviceAnswersWithCookiesAndARealPeerStillConnects() throws Exception {
        try (Lab lab = Lab.open()) {
            WgPair pair = WgPair.open(lab, InJvmDevice.starter(DeviceOptions.defaults()), WgPair.WIREGUARD_GO);
            Host b = pair.b().host();
            Device ours = InJvmDevice.of(pair.a());
            b.addAddress(pair.underlay().ifB(), ATTACKER_IP + "/24");
            byte[] mac1Key = Blake2s.hash("mac1----".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    Key.parsePublic(pair.a().publicKey()).bytes());
            InetSocketAddress target = new InetSocketAddress(WgPair.UNDERLAY_A, WgPair.PORT_A);
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            AtomicLong cookiesSeen = new AtomicLong();
            try (DatagramChannel gen = NetNs.call(b.netns(),
                    () -> DatagramChannel.open().bind(new InetSocketAddress(ATTACKER_IP, 0)))) {
                gen.configureBlocking(false);
                Thread flood = Thread.ofPlatform().name("handshake-flood").start(() -> {
                    Random random = new Random(42);
                    byte[] msg = new byte[148];
                    ByteBuffer in = ByteBuffer.allocate(256);
                    while (flooding.get()) {
                        for (int i = 0; i < 200; i++) { // 200 every 10 ms: about 20,000 initiations/s
                            random.nextBytes(msg);
                            msg[0] = 1;
                            msg[1] = msg[2] = msg[3] = 0;
                            System.arraycopy(Blake2s.mac(mac1Key, msg, 0, 116), 0, msg, 116, 16);
                            java.util.Arrays.fill(msg, 132, 148, (byte) 0); // no MAC2: no cookie yet
                            send(gen, target, msg);
                            sent.incrementAndGet();
                        }
                        try {
                            while (gen.receive(in.clear()) != null) {
                                if (in.position() == 64 && in.get(0) == 3) {
                                    cookiesSeen.incrementAndGet();
                                }
                            }
                            Thread.sleep(10); // pacing of the load, not synchronisation
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                try {
                    Waiter.until("the device answers the flood with cookie replies", UP,
                            () -> ours.counters().cookieRepliesSent() > 0 && cookiesSeen.get() > 0);
                    // the real peer's first initiation comes now, in the middle of the flood
                    WgPair.awaitPing(b, WgPair.TUNNEL_A, Duration.ofSeconds(30));
                    assertThat(flood.isAlive()).as("the flood still runs when the real peer got through").isTrue();
                } finally {
                    flooding.set(false);
                    flood.join();
                }
            }
            DeviceCounters c = ours.counters();
            System.out.printf("flood: %d initiations sent, %d cookie replies sent (%d seen by the generator), "
                    + "%d handshakes completed, dropped %s%n", sent.get(), c.cookieRepliesSent(), cookiesSeen.get(),
                    c.handshakesCompleted(), c.dropped());
            assertThat(c.handshakesCompleted()).as("the real peer's handshake").isGreaterThanOrEqualTo(1);
            WgPair.awaitPing(pair.a().host(), WgPair.TUNNEL_B, UP);
        }
    }

    /** Captures {@code count} datagrams b sends to a's port while b pings a, with tcpdump in a. */
    private static List<byte[]> captureTransportFromB(WgPair pair, int count) throws Exception {
        Host a = pair.a().host();
        Path file = a.lab().workDir().resolve("capture.pcap");
        LabProcess dump = a.start("tcpdump", "-i", pair.underlay().ifA(), "-U", "-n", "-w", file.toString(),
                "-c", Integer.toString(count), "udp and src port " + WgPair.PORT_B + " and dst port " + WgPair.PORT_A
                        + " and udp[8] = 4");
        dump.awaitOutput("listening on", UP);
        pair.b().host().run("ping", "-c", Integer.toString(count), "-i", "0.01", WgPair.TUNNEL_A);
        Waiter.until("tcpdump captured " + count + " packets", UP, () -> !dump.isAlive());
        return Pcap.udpPayloads(file);
    }

    private static void awaitDropped(Device d, DeviceCounters before, DropReason reason, long atLeast, long seed) {
        Waiter.until(atLeast + " more drops for " + reason + " (seed " + seed + ")", UP,
                () -> d.counters().dropped(reason) - before.dropped(reason) >= atLeast);
    }

    private static void send(DatagramChannel ch, InetSocketAddress to, byte[] p) {
        try {
            ch.send(ByteBuffer.wrap(p), to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
