package org.cunicu4j.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.junit.jupiter.api.Test;

class UapiCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    static Key key(int seed, Key.Type type) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) seed);
        b[0] = (byte) 0xa0;
        return Key.of(b, type);
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    static DeviceStatus sampleStatus() {
        PeerStatus a = new PeerStatus(key(1, Key.Type.PUBLIC), key(2, Key.Type.PRESHARED),
                new InetSocketAddress("192.0.2.7", 51820), 25,
                List.of(IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("fd00::/64")),
                Instant.ofEpochSecond(1_700_000_000L, 123_456_789), 1000, 2000, 1);
        PeerStatus b = new PeerStatus(key(3, Key.Type.PUBLIC), null,
                new InetSocketAddress("2001:db8::1", 4000), 0, List.of(), null, 0, 0, 1);
        return new DeviceStatus(key(4, Key.Type.PRIVATE), 51820, 0x1234, List.of(a, b));
    }

    @Test
    void statusIsFormattedLikeWireguardGo() {
        String text = UapiCodec.formatStatus(sampleStatus());
        String k1 = HEX.formatHex(key(1, Key.Type.PUBLIC).bytes());
        String zero = "0".repeat(64);
        assertThat(text).startsWith("private_key=" + HEX.formatHex(key(4, Key.Type.PRIVATE).bytes()) + "\n"
                + "listen_port=51820\nfwmark=4660\n"
                + "public_key=" + k1 + "\n"
                + "preshared_key=" + HEX.formatHex(key(2, Key.Type.PRESHARED).bytes()) + "\n"
                + "protocol_version=1\n"
                + "endpoint=192.0.2.7:51820\n"
                + "last_handshake_time_sec=1700000000\nlast_handshake_time_nsec=123456789\n"
                + "tx_bytes=2000\nrx_bytes=1000\npersistent_keepalive_interval=25\n"
                + "allowed_ip=10.0.0.2/32\nallowed_ip=fd00::/64\n");
        assertThat(text).contains("preshared_key=" + zero + "\n").contains("endpoint=[2001:db8::1]:4000\n")
                .contains("last_handshake_time_sec=0\n");
    }

    @Test
    void statusRoundTrips() throws Exception {
        DeviceStatus s = sampleStatus();
        assertThat(UapiCodec.parseStatus(lines(UapiCodec.formatStatus(s)), 1)).isEqualTo(s);
        DeviceStatus empty = new DeviceStatus(null, 0, 0, List.of());
        assertThat(UapiCodec.formatStatus(empty)).isEmpty();
        assertThat(UapiCodec.parseStatus(List.of(), 1)).isEqualTo(empty);
    }

    @Test
    void statusSkipsUnknownKeysButNotMalformedKnownOnes() throws Exception {
        String k1 = HEX.formatHex(key(1, Key.Type.PUBLIC).bytes());
        DeviceStatus s = UapiCodec.parseStatus(List.of("listen_port=1", "some_future_key=x", "public_key=" + k1,
                "future_peer_key=y", "rx_bytes=18446744073709551615"), 1);
        assertThat(s.listenPort()).isEqualTo(1);
        assertThat(s.peers().getFirst().rxBytes()).isEqualTo(-1L); // u64 max, unsigned
        assertThatThrownBy(() -> UapiCodec.parseStatus(List.of("public_key=" + k1, "tx_bytes=x1"), 7))
                .isInstanceOf(UapiException.class).hasMessage("line 8: tx_bytes 'x1' is not a number 0..18446744073709551615");
        assertThatThrownBy(() -> UapiCodec.parseStatus(List.of("endpoint=1.2.3.4:5"), 1))
                .hasMessage("line 1: endpoint before any public_key");
    }

    static DeviceUpdate sampleUpdate() {
        PeerUpdate a = new PeerUpdate(key(1, Key.Type.PUBLIC), false, true, key(2, Key.Type.PRESHARED),
                new InetSocketAddress("fe80::1", 51820), 25, true,
                List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("::/0")));
        return new DeviceUpdate(key(4, Key.Type.PRIVATE), 51821, 0, true,
                List.of(a, PeerUpdate.removal(key(3, Key.Type.PUBLIC)),
                        PeerUpdate.endpoint(key(5, Key.Type.PUBLIC), new InetSocketAddress("198.51.100.1", 1))));
    }

    @Test
    void updateIsFormattedLikeWg() {
        String text = UapiCodec.formatUpdate(sampleUpdate());
        assertThat(text).isEqualTo("private_key=" + HEX.formatHex(key(4, Key.Type.PRIVATE).bytes()) + "\n"
                + "listen_port=51821\nfwmark=0\nreplace_peers=true\n"
                + "public_key=" + HEX.formatHex(key(1, Key.Type.PUBLIC).bytes()) + "\n"
                + "update_only=true\n"
                + "preshared_key=" + HEX.formatHex(key(2, Key.Type.PRESHARED).bytes()) + "\n"
                + "endpoint=[fe80::1]:51820\npersistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
                + "allowed_ip=10.0.0.0/24\nallowed_ip=::/0\n"
                + "public_key=" + HEX.formatHex(key(3, Key.Type.PUBLIC).bytes()) + "\nremove=true\n"
                + "public_key=" + HEX.formatHex(key(5, Key.Type.PUBLIC).bytes()) + "\nupdate_only=true\n"
                + "endpoint=198.51.100.1:1\n");
    }

    @Test
    void updateRoundTrips() throws Exception {
        DeviceUpdate u = sampleUpdate();
        assertThat(UapiCodec.parseUpdate(lines(UapiCodec.formatUpdate(u)), 2)).isEqualTo(u);
    }

    @Test
    void parsesWhatWgSetconfSends() throws Exception {
        String k1 = HEX.formatHex(key(1, Key.Type.PUBLIC).bytes());
        DeviceUpdate u = UapiCodec.parseUpdate(List.of("private_key=" + HEX.formatHex(key(4, Key.Type.PRIVATE).bytes()),
                "listen_port=0", "fwmark=", "replace_peers=true", "public_key=" + k1, "protocol_version=1",
                "endpoint=[2001:db8::5%7]:9", "replace_allowed_ips=true", "allowed_ip=10.1.0.0/16", "allowed_ip=fd00::1"), 2);
        assertThat(u.listenPort()).isZero();
        assertThat(u.fwmark()).isZero();
        assertThat(u.replacePeers()).isTrue();
        PeerUpdate p = u.peers().getFirst();
        assertThat(p.endpoint().getPort()).isEqualTo(9);
        assertThat(AddressText.format(p.endpoint())).isEqualTo("[2001:db8::5%7]:9");
        assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("fd00::1/128"));
        assertThat(p.replaceAllowedIps()).isTrue();
        assertThat(p.persistentKeepaliveSeconds()).isNull();
    }

    @Test
    void errorsNameTheLineAndNeverEchoASecret() {
        String secret = "ab".repeat(31) + "zz";
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("listen_port=1", "private_key=" + secret), 2))
                .isInstanceOf(UapiException.class)
                .hasMessage("line 3: private_key is not 64 hex digits")
                .satisfies(e -> assertThat(((UapiException) e).errno()).isEqualTo(22));
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("public_key=" + "00".repeat(32), "preshared_key=" + secret), 2))
                .hasMessageNotContaining(secret).hasMessageStartingWith("line 3: preshared_key");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("listen_port=65536"), 2))
                .hasMessage("line 2: listen_port '65536' is not a number 0..65535");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("allowed_ip=10.0.0.0/8"), 2))
                .hasMessage("line 2: allowed_ip before any public_key");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("public_key=" + "00".repeat(32), "listen_port=1"), 2))
                .hasMessage("line 3: listen_port is a device key but comes after a public_key");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("bogus"), 2))
                .hasMessage("line 2: 'bogus' is not key=value");
        String secret64 = "ab".repeat(32);
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("private_key: " + secret64), 2))
                .hasMessage("line 2: 'private_key:…' is not key=value");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("private_key " + secret64), 2))
                .hasMessage("line 2: 'private_key …' is not key=value");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of(secret64), 2))
                .hasMessage("line 2: a line of 64 characters is not key=value");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("frobnicate=1"), 2))
                .hasMessage("line 2: unknown key 'frobnicate'");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("public_key=" + "00".repeat(32), "endpoint=1.2.3.256:1"), 2))
                .hasMessageStartingWith("line 3: endpoint '1.2.3.256:1' is not an endpoint");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("public_key=" + "00".repeat(32), "allowed_ip=10.0.0.0/33"), 2))
                .hasMessageStartingWith("line 3: allowed_ip '10.0.0.0/33' is not an IP prefix");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("replace_peers=false"), 2))
                .hasMessage("line 2: replace_peers 'false' is not 'true'");
        assertThatThrownBy(() -> UapiCodec.parseUpdate(List.of("public_key=" + "00".repeat(32), "protocol_version=2"), 2))
                .hasMessage("line 3: protocol_version '2' is not supported (only 1)");
    }

    /** Mutations of valid requests and answers: each parses or fails with a UapiException, never anything else. */
    @Test
    void fuzzedInputParsesOrFailsCleanly() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String[] corpus = {UapiCodec.formatUpdate(sampleUpdate()), UapiCodec.formatStatus(sampleStatus())};
        String alphabet = "=:[]%./-0123456789abcdefxyz\n\u0000\u00ff ";
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(corpus[random.nextInt(corpus.length)]);
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits && !sb.isEmpty(); e++) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(4)) {
                    case 0 -> sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 2 -> sb.deleteCharAt(at);
                    default -> sb.setLength(at);
                }
            }
            List<String> lines = new ArrayList<>(lines(sb.toString()));
            try {
                if (random.nextBoolean()) {
                    UapiCodec.parseUpdate(lines, 2);
                } else {
                    UapiCodec.parseStatus(lines, 1);
                }
                parsed++;
            } catch (UapiException e) {
                assertThat(e.getMessage()).as("seed %d", seed).startsWith("line ");
                rejected++;
            } catch (RuntimeException e) {
                fail("seed " + seed + ", input " + lines + ": " + e, e);
            }
        }
        assertThat(parsed).as("seed %d", seed).isPositive();
        assertThat(rejected).as("seed %d", seed).isPositive();
    }

    @Test
    void aRequestNamesAtMostSoManyPeers() throws Exception {
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i <= UapiCodec.MAX_PEERS_PER_REQUEST; i++) {
            lines.add("public_key=" + String.format("%064x", i));
        }
        assertThatThrownBy(() -> UapiCodec.parseUpdate(lines, 2)).isInstanceOf(UapiException.class)
                .hasMessage("line " + (2 + UapiCodec.MAX_PEERS_PER_REQUEST) + ": more than 16384 peers in one request");
        assertThat(UapiCodec.parseUpdate(lines.subList(0, UapiCodec.MAX_PEERS_PER_REQUEST), 2).peers())
                .hasSize(UapiCodec.MAX_PEERS_PER_REQUEST);
    }

    @Test
    void portsAndKeepalivesAreCheckedWhenUpdatesAreMade() {
        assertThatThrownBy(() -> new DeviceUpdate(null, 65536, null, false, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("listen port 65536 is not 0..65535");
        assertThatThrownBy(() -> new DeviceUpdate(null, -1, null, false, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PeerUpdate(key(1, Key.Type.PUBLIC), false, false, null, null, 70000, false, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("persistent keepalive 70000 s is not 0..65535");
        assertThat(new DeviceUpdate(null, 65535, null, false, List.of()).listenPort()).isEqualTo(65535);
        assertThat(new PeerUpdate(key(1, Key.Type.PUBLIC), false, false, null, null, 0, false, List.of())
                .persistentKeepaliveSeconds()).isZero();
    }
}
