package org.cunicu4j.wireguard.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Byte layouts written out by hand from include/uapi/linux/wireguard.h (x86_64: little-endian hosts). */
class WgNetlinkCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void littleEndian() {
        assertThat(ByteOrder.nativeOrder()).as("the hand-written layouts are for a little-endian host").isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] hex(String... parts) {
        return HEX.parseHex(String.join("", parts).replace(" ", ""));
    }

    private static Key key(int b, Key.Type type) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return Key.of(k, type);
    }

    @Test
    void getDeviceRequestNamesTheInterface() {
        assertThat(WgNetlinkCodec.getDevice("wg0")).isEqualTo(hex("0800 0200 77673000"));
    }

    @Test
    void setDeviceRequestHasTheKernelsLayout() {
        DeviceUpdate u = new DeviceUpdate(null, 51820, null, true, List.of(new PeerUpdate(key(0x11, Key.Type.PUBLIC),
                false, false, null, new InetSocketAddress("192.0.2.1", 51820), 25, true, List.of(IpPrefix.parse("10.0.0.0/24")))));
        List<byte[]> messages = WgNetlinkCodec.setDevice("wg0", u);
        assertThat(messages).hasSize(1);
        assertThat(HEX.formatHex(messages.getFirst())).isEqualTo(HEX.formatHex(hex(
                "0800 0200 77673000",                 // WGDEVICE_A_IFNAME "wg0\0"
                "0600 0600 6cca 0000",                // WGDEVICE_A_LISTEN_PORT u16 51820, padded
                "0800 0500 01000000",                 // WGDEVICE_A_FLAGS REPLACE_PEERS
                "7000 0880",                          // WGDEVICE_A_PEERS | NLA_F_NESTED, 112 bytes
                "6c00 0080",                          //   peer 0 | NLA_F_NESTED, 108 bytes
                "2400 0100", "11".repeat(32),         //     WGPEER_A_PUBLIC_KEY
                "0800 0300 02000000",                 //     WGPEER_A_FLAGS REPLACE_ALLOWEDIPS
                "1400 0400 0200 ca6c c0000201 0000000000000000", // WGPEER_A_ENDPOINT sockaddr_in
                "0600 0500 1900 0000",                //     WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL 25
                "2000 0980",                          //     WGPEER_A_ALLOWEDIPS | NLA_F_NESTED, 32 bytes
                "1c00 0080",                          //       allowed ip 0, 28 bytes
                "0600 0100 0200 0000",                //         WGALLOWEDIP_A_FAMILY AF_INET
                "0800 0200 0a000000",                 //         WGALLOWEDIP_A_IPADDR 10.0.0.0
                "0500 0300 18 000000")));             //         WGALLOWEDIP_A_CIDR_MASK 24
    }

    @Test
    void setDeviceEncodesKeysFwmarkRemovalAndIpv6() {
        DeviceUpdate u = new DeviceUpdate(key(0x22, Key.Type.PRIVATE), null, 0x100, false, List.of(
                PeerUpdate.removal(key(0x33, Key.Type.PUBLIC)),
                new PeerUpdate(key(0x44, Key.Type.PUBLIC), false, true, key(0x55, Key.Type.PRESHARED),
                        new InetSocketAddress("2001:db8::1", 443), null, false, List.of())));
        assertThat(HEX.formatHex(WgNetlinkCodec.setDevice("wg1", u).getFirst())).isEqualTo(HEX.formatHex(hex(
                "0800 0200 77673100",
                "2400 0300", "22".repeat(32),         // WGDEVICE_A_PRIVATE_KEY
                "0800 0700 00010000",                 // WGDEVICE_A_FWMARK 0x100
                "a800 0880",                          // PEERS: 4 + 48 + 116 = 168
                "3000 0080", "2400 0100", "33".repeat(32), "0800 0300 01000000", // REMOVE_ME
                "7400 0080", "2400 0100", "44".repeat(32), "0800 0300 04000000", // UPDATE_ONLY
                "2400 0200", "55".repeat(32),         //     WGPEER_A_PRESHARED_KEY
                "2000 0400 0a00 01bb 00000000 20010db8000000000000000000000001 00000000"))); // sockaddr_in6
    }

    /** A two-message dump as the kernel sends it, the second continuing the first peer's allowed IPs. */
    static List<byte[]> sampleDump() {
        String device = "0800 0100 07000000"                      // WGDEVICE_A_IFINDEX 7
                + "0800 0200 77673000"                              // WGDEVICE_A_IFNAME
                + "2400 0300" + "a0".repeat(32)                     // WGDEVICE_A_PRIVATE_KEY
                + "2400 0400" + "b0".repeat(32)                     // WGDEVICE_A_PUBLIC_KEY
                + "0600 0600 6cca 0000"                             // WGDEVICE_A_LISTEN_PORT 51820
                + "0800 0700 2a000000";                             // WGDEVICE_A_FWMARK 42
        String peer1 = "2400 0100" + "11".repeat(32)
                + "2400 0200" + "00".repeat(32)                     // no preshared key
                + "1400 0600 d2029649 00000000 15cd5b07 00000000"   // last handshake 1234567890.123456789
                + "0600 0500 1900 0000"                             // keepalive 25
                + "0400 0000"                                       // nla_put_u64_64bit padding (type 0)
                + "0c00 0800 0010000000000000"                      // tx 4096
                + "0c00 0700 0020000000000000"                      // rx 8192
                + "0800 0a00 01000000"                              // protocol version 1
                + "2000 0400 0a00 ca6c 00000000 fe800000000000000000000000000001 03000000" // [fe80::1%3]:51820
                + "2000 0980" + "1c00 0080" + "0600 0100 0200 0000" + "0800 0200 0a000000" + "0500 0300 08 000000";
        String peer1Len = String.format("%02x00", 4 + peer1.replace(" ", "").length() / 2);
        String peers = peer1Len + " 0080" + peer1;
        String msg1 = device + String.format("%02x%02x", (4 + peers.replace(" ", "").length() / 2) & 0xff,
                (4 + peers.replace(" ", "").length() / 2) >> 8) + " 0880" + peers;
        String peer1More = "2400 0100" + "11".repeat(32)
                + "2c00 0980" + "2800 0080" + "0600 0100 0a00 0000" + "1400 0200 fd000000000000000000000000000000" + "0500 0300 40 000000";
        String peer2 = "2400 0100" + "22".repeat(32) + "2400 0200" + "33".repeat(32);
        String msg2 = device + "a400 0880" + "5400 0080" + peer1More + "4c00 0080" + peer2;
        return List.of(hex(msg1), hex(msg2));
    }

    @Test
    void parsesAMultipartDumpMergingAPeerAcrossMessages() throws Exception {
        DeviceStatus s = WgNetlinkCodec.parseDevice(sampleDump());
        assertThat(s.privateKey()).isEqualTo(key(0xa0, Key.Type.PRIVATE));
        assertThat(s.listenPort()).isEqualTo(51820);
        assertThat(s.fwmark()).isEqualTo(42);
        assertThat(s.peers()).hasSize(2);
        PeerStatus p = s.peers().getFirst();
        assertThat(p.publicKey()).isEqualTo(key(0x11, Key.Type.PUBLIC));
        assertThat(p.presharedKey()).isNull();
        assertThat(p.lastHandshake()).isEqualTo(Instant.ofEpochSecond(1234567890L, 123456789));
        assertThat(p.persistentKeepaliveSeconds()).isEqualTo(25);
        assertThat(p.txBytes()).isEqualTo(4096);
        assertThat(p.rxBytes()).isEqualTo(8192);
        assertThat(p.protocolVersion()).isEqualTo(1);
        assertThat(p.endpoint().getPort()).isEqualTo(51820);
        assertThat(p.endpoint().getAddress().getHostAddress()).isEqualTo("fe80:0:0:0:0:0:0:1%3");
        assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("fd00::/64"));
        PeerStatus q = s.peers().get(1);
        assertThat(q.publicKey()).isEqualTo(key(0x22, Key.Type.PUBLIC));
        assertThat(q.presharedKey()).isEqualTo(key(0x33, Key.Type.PRESHARED));
        assertThat(q.endpoint()).isNull();
        assertThat(q.lastHandshake()).isNull();
    }

    @Test
    void malformedAnswersNameTheAttribute() {
        assertThatThrownBy(() -> WgNetlinkCodec.parseDevice(List.of(hex("0800 0600 6cca"))))
                .isInstanceOf(IOException.class).hasMessage("malformed WireGuard netlink answer in message 0: an attribute length 8 with 6 bytes left");
        assertThatThrownBy(() -> WgNetlinkCodec.parseDevice(List.of(hex("0500 0600 6c 000000"))))
                .hasMessage("malformed WireGuard netlink answer in message 0: WGDEVICE_A_LISTEN_PORT of 1 bytes, expected 2");
        assertThatThrownBy(() -> WgNetlinkCodec.parseDevice(List.of(hex("0c00 0880 0800 0080 0800 0a00"))))
                .hasMessageContaining("message 0 > WGDEVICE_A_PEERS > peer");
        assertThatThrownBy(() -> WgNetlinkCodec.parseDevice(List.of(hex("1000 0880 0c00 0080 0800 0a00 01000000"))))
                .hasMessageEndingWith("a peer without WGPEER_A_PUBLIC_KEY");
    }

    /** Whatever the split, the messages of a set request reassemble into the same peers. */
    @Test
    void largeUpdatesSplitIntoMessagesThatReassemble() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<PeerUpdate> peers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<IpPrefix> ips = new ArrayList<>();
            int n = random.nextInt(300);
            for (int j = 0; j < n; j++) {
                ips.add(random.nextBoolean()
                        ? IpPrefix.parse("10." + i + "." + (j >> 8) + "." + (j & 0xff) + "/32")
                        : IpPrefix.parse("fd00:" + Integer.toHexString(i) + "::" + Integer.toHexString(j) + "/128"));
            }
            byte[] pk = new byte[32];
            random.nextBytes(pk);
            peers.add(new PeerUpdate(Key.of(pk, Key.Type.PUBLIC), false, false, null,
                    new InetSocketAddress("198.51.100." + i, 1000 + i), 5, true, ips));
        }
        DeviceUpdate u = new DeviceUpdate(null, null, null, true, peers);
        List<byte[]> messages = WgNetlinkCodec.setDevice("wg0", u);
        assertThat(messages.size()).as("seed %d", seed).isGreaterThan(1);
        for (byte[] m : messages) {
            assertThat(m.length).as("seed %d", seed).isLessThan(WgNetlinkCodec.MESSAGE_BUDGET + 200);
        }
        DeviceStatus back = WgNetlinkCodec.parseDevice(messages);
        assertThat(back.peers()).as("seed %d", seed).hasSize(peers.size());
        for (int i = 0; i < peers.size(); i++) {
            assertThat(back.peers().get(i).publicKey()).isEqualTo(peers.get(i).publicKey());
            assertThat(back.peers().get(i).allowedIps()).as("seed %d", seed).isEqualTo(peers.get(i).allowedIps());
            assertThat(back.peers().get(i).endpoint()).isEqualTo(peers.get(i).endpoint());
        }
        // the device flag only in the first message
        assertThat(HEX.formatHex(messages.getFirst())).contains("0800050001000000");
        assertThat(HEX.formatHex(messages.get(1))).doesNotContain("0800050001000000");
    }

    @Test
    void fuzzedDumpsParseOrFailWithIoException() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<byte[]> base = sampleDump();
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            List<byte[]> msgs = new ArrayList<>();
            for (byte[] m : base) {
                byte[] copy = m.clone();
                int edits = random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(4) == 0) {
                    copy = Arrays.copyOf(copy, random.nextInt(copy.length + 1));
                }
                msgs.add(copy);
            }
            try {
                WgNetlinkCodec.parseDevice(msgs);
                parsed++;
            } catch (IOException expected) {
                assertThat(expected.getMessage()).startsWith("malformed WireGuard netlink answer");
            } catch (RuntimeException e) {
                fail("seed " + seed + ", iteration " + i + ": " + e, e);
            }
        }
        assertThat(parsed).as("seed %d", seed).isPositive();
    }

    @Test
    void aPeerCutInItsAllowedIpsContinuesUpdateOnly() {
        List<IpPrefix> ips = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ips.add(IpPrefix.parse("10.0.0." + i + "/32"));
        }
        DeviceUpdate u = new DeviceUpdate(null, null, null, false, List.of(
                new PeerUpdate(key(0x11, Key.Type.PUBLIC), false, false, null, null, null, true, ips)));
        List<byte[]> messages = WgNetlinkCodec.setDevice("wg0", u, 256);
        assertThat(messages.size()).isGreaterThan(1);
        // the first message replaces the allowed IPs, every continuation only adds to the peer
        assertThat(HEX.formatHex(messages.getFirst())).contains(HEX.formatHex(hex("2400 0100", "11".repeat(32), "0800 0300 02000000")));
        for (byte[] m : messages.subList(1, messages.size())) {
            String h = HEX.formatHex(m);
            // IFNAME, then PEERS and peer 0 (nested), then the peer's attributes
            assertThat(h).startsWith(HEX.formatHex(hex("0800 0200 77673000")));
            assertThat(h.substring(20, 24) + h.substring(28, 32)).isEqualTo("08800080");
            assertThat(h.substring(32)).startsWith(HEX.formatHex(hex("2400 0100", "11".repeat(32),
                    "0800 0300 04000000")));                 // WGPEER_A_FLAGS UPDATE_ONLY, not REPLACE_ALLOWEDIPS
        }
    }

    @Test
    void ipv4MappedAllowedIpsAndEndpointsStayIpv6() throws Exception {
        String device = "0800 0100 07000000" + "0800 0200 77673000";
        String peer = "2400 0100" + "11".repeat(32)
                + "2000 0400 0a00 ca6c 00000000 00000000000000000000ffffc0000201 00000000" // [::ffff:192.0.2.1]:51820
                + "2c00 0980" + "2800 0080" + "0600 0100 0a00 0000"
                + "1400 0200 00000000000000000000ffff00000000" + "0500 0300 60 000000"; // ::ffff:0:0/96
        String msg = device + "7800 0880" + "7400 0080" + peer;
        PeerStatus p = WgNetlinkCodec.parseDevice(List.of(hex(msg))).peers().getFirst();
        assertThat(p.allowedIps()).hasSize(1);
        assertThat(p.allowedIps().getFirst().address()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(p.allowedIps().getFirst().bits()).isEqualTo(96);
        assertThat(org.cunicu4j.wireguard.control.AddressText.format(p.allowedIps().getFirst())).isEqualTo("::ffff:0.0.0.0/96");
        assertThat(p.endpoint().getAddress()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(org.cunicu4j.wireguard.control.AddressText.format(p.endpoint())).isEqualTo("[::ffff:192.0.2.1]:51820");

        // and encoded back as AF_INET6, 16 bytes
        DeviceUpdate u = new DeviceUpdate(null, null, null, false, List.of(new PeerUpdate(key(0x11, Key.Type.PUBLIC),
                false, false, null, p.endpoint(), null, false, p.allowedIps())));
        assertThat(HEX.formatHex(WgNetlinkCodec.setDevice("wg0", u).getFirst())).contains(HEX.formatHex(hex(
                "2000 0400 0a00 ca6c 00000000 00000000000000000000ffffc0000201 00000000",
                "2c00 0980 2800 0080 0600 0100 0a00 0000 1400 0200 00000000000000000000ffff00000000 0500 0300 60 000000")));
    }
}
