package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.conn.testing.MemoryBind;
import org.cunicu4j.wireguard.conn.testing.MemoryNetwork;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.device.Device;
import org.cunicu4j.wireguard.device.DeviceOptions;
import org.cunicu4j.wireguard.tun.MemoryTun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our {@link Device} behind {@link UapiServer}: two devices over an in-memory network
 * exchange a packet (a real handshake and counters), then {@code wg} and {@link UapiClient}
 * read and change device A through its socket.
 */
@RequiresRoot
@RequiresTools({"wg"})
class UapiDeviceTest {
    @TempDir
    Path dir;

    /** An IPv4/UDP packet from {@code 10.0.0.1} to {@code 10.0.0.2} with a few bytes of payload. */
    private static byte[] packet() {
        ByteBuffer b = ByteBuffer.allocate(20 + 8 + 4);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 32).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2})
                .putShort((short) 1000).putShort((short) 2000).putShort((short) 12).putShort((short) 0)
                .put(new byte[] {1, 2, 3, 4});
        return b.array();
    }

    @Test
    void wgReadsAndChangesOurDevice() throws Exception {
        String name = WireguardGo.newInterfaceName();
        MemoryBind[] binds = MemoryNetwork.pair();
        Key ka = Key.generatePrivate();
        Key kb = Key.generatePrivate();
        MemoryTun tunA = new MemoryTun(name, 1420);
        MemoryTun tunB = new MemoryTun("peer", 1420);
        try (Device a = Device.open(tunA, binds[0], DeviceOptions.defaults().withPrivateKey(ka));
                Device b = Device.open(tunB, binds[1], DeviceOptions.defaults().withPrivateKey(kb));
                UapiServer server = UapiServer.start(name, a)) {
            UapiClient client = UapiClient.of(name);
            client.apply(DeviceUpdate.peers(new PeerUpdate(kb.publicKey(), false, false, null, null, null, false,
                    List.of(IpPrefix.parse("10.0.0.2/32")))));
            a.setEndpoint(kb.publicKey(), binds[1].endpoint());
            b.apply(DeviceUpdate.peers(new PeerUpdate(ka.publicKey(), false, false, null, null, null, false,
                    List.of(IpPrefix.parse("10.0.0.1/32")))));
            tunA.inject(packet());
            assertThat(tunB.take(Duration.ofSeconds(10))).as("the packet crossed the tunnel").isNotNull();

            DeviceStatus viaUapi = client.status();
            assertThat(viaUapi.privateKey()).isEqualTo(ka);
            PeerStatus p = viaUapi.peers().getFirst();
            assertThat(p.publicKey()).isEqualTo(kb.publicKey());
            assertThat(p.lastHandshake()).isNotNull();
            assertThat(p.txBytes()).isPositive();
            assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.0.0.2/32"));

            String show = Exec.run("wg", "show", name).orThrow().stdout();
            assertThat(show).contains("interface: " + name, "public key: " + ka.publicKey().toBase64(),
                    "peer: " + kb.publicKey().toBase64(), "allowed ips: 10.0.0.2/32", "latest handshake: ", " sent\n");

            Key third = Key.generatePrivate().publicKey();
            Path psk = Files.writeString(dir.resolve("psk"), Key.generatePreshared().toBase64());
            Exec.run("wg", "set", name, "peer", third.toBase64(), "preshared-key", psk.toString(),
                    "allowed-ips", "10.0.0.3/32,fd00::3/128", "persistent-keepalive", "30").orThrow();
            PeerStatus added = a.status().peers().stream().filter(q -> q.publicKey().equals(third)).findFirst().orElseThrow();
            assertThat(added.allowedIps()).containsExactlyInAnyOrder(IpPrefix.parse("10.0.0.3/32"), IpPrefix.parse("fd00::3/128"));
            assertThat(added.presharedKey()).isNotNull();
            assertThat(added.persistentKeepaliveSeconds()).isEqualTo(30);
            Exec.run("wg", "set", name, "peer", third.toBase64(), "remove").orThrow();
            assertThat(a.status().peers()).extracting(PeerStatus::publicKey).containsExactly(kb.publicKey());
            assertThat(server.rejectedRequests()).isZero();
        }
    }
}
