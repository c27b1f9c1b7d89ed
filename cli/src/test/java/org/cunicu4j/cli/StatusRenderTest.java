package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.testlab.mesh.Json;
import org.junit.jupiter.api.Test;

/** The status table, its colours, the JSON document, monitor lines and the human units. */
class StatusRenderTest {

    @Test
    void tableForAFixedStatus() {
        String table = StatusTable.render(ControlFixtures.status(), ControlFixtures.NOW, false);
        assertThat(table).isEqualTo("""
                cunicu4j daemon 0.1.0 (pid 4242), up 1h0m
                counters: signaling_unknown_sender 3

                interface wg0
                  device:       cunicu4j
                  public key:   AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
                  listen port:  51820
                  proxy:        bind (our own device: ICE on WireGuard's sockets)

                  PEER       STATE      PROXY                  SELECTED PAIR                                          RTT      RX        TX        HANDSHAKE  RESTARTS
                  alice      connected  bind (our own device)  host 10.0.0.1:51820 ↔ srflx 198.51.100.7:40000 (udp)   12.3 ms  1.18 MiB  2.00 KiB  12s ago    2
                  bob        checking   bind (our own device)  relay 203.0.113.5:49152 ↔ prflx [fd00::2]:51820 (tcp)  85.0 ms  5.00 GiB  512 B     3m4s ago   0
                  BAQEBAQE…  failed     -                      -                                                      -        0 B       0 B       never      7
                             error: no candidate pair succeeded

                interface wg1
                  device:       userspace (uapi)
                  public key:   BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU=
                  listen port:  51821
                  proxy:        user (external device: a loopback socket per peer)
                  no peers
                """);
        assertThat(table).doesNotContain("\033");
    }

    @Test
    void colourMarksStatesAndKeepsColumnsAligned() {
        String colored = StatusTable.render(ControlFixtures.status(), ControlFixtures.NOW, true);
        assertThat(colored)
                .contains("\033[32mconnected\033[0m  bind")
                .contains("\033[33mchecking\033[0m   bind")
                .contains("\033[31mfailed\033[0m     -")
                .contains("\033[31merror: no candidate pair succeeded\033[0m")
                .contains("\033[1minterface wg0\033[0m");
        String stripped = colored.replaceAll("\033\\[[0-9;]*m", "");
        assertThat(stripped).isEqualTo(StatusTable.render(ControlFixtures.status(), ControlFixtures.NOW, false));
    }

    @Test
    void colourOnlyOnATerminalWithoutNoColorUnlessForced() {
        assertThat(ColorChoice.AUTO.enabled(Map.of(), true)).isTrue();
        assertThat(ColorChoice.AUTO.enabled(Map.of(), false)).isFalse();
        assertThat(ColorChoice.AUTO.enabled(Map.of("NO_COLOR", "1"), true)).isFalse();
        assertThat(ColorChoice.AUTO.enabled(Map.of("NO_COLOR", ""), true)).as("empty NO_COLOR is unset").isTrue();
        assertThat(ColorChoice.ALWAYS.enabled(Map.of("NO_COLOR", "1"), false)).isTrue();
        assertThat(ColorChoice.NEVER.enabled(Map.of(), true)).isFalse();
        assertThat(ColorChoice.parse("Always")).isEqualTo(ColorChoice.ALWAYS);
        assertThatThrownBy(() -> ColorChoice.parse("sometimes")).hasMessage("'sometimes' is not a colour mode (auto, always or never)");
    }

    @Test
    void jsonCarriesEveryFieldWithStableNamesAndValues() {
        String json = StatusJson.render(ControlFixtures.status());
        assertThat(json).doesNotContain("\n");
        Map<String, Object> doc = Json.object(Json.parse(json));
        assertThat(doc).containsOnlyKeys("version", "pid", "started", "interfaces", "counters");
        assertThat(Json.object(doc.get("counters"))).containsExactly(
                Map.entry("signaling_unknown_sender", 3L), Map.entry("zero", 0L));
        assertThat(doc.get("version")).isEqualTo("0.1.0");
        assertThat(doc.get("pid")).isEqualTo(4242L);
        assertThat(doc.get("started")).isEqualTo("2026-11-25T11:00:00Z");
        List<Object> ifaces = Json.array(doc.get("interfaces"));
        assertThat(ifaces).hasSize(2);
        Map<String, Object> wg0 = Json.object(ifaces.get(0));
        assertThat(wg0).containsOnlyKeys("name", "device", "public_key", "listen_port", "proxy_mode", "proxy_reason", "peers");
        assertThat(wg0).containsEntry("name", "wg0").containsEntry("device", "cunicu4j")
                .containsEntry("public_key", ControlFixtures.IFACE_KEY.toBase64())
                .containsEntry("listen_port", 51820L)
                .containsEntry("proxy_mode", "bind")
                .containsEntry("proxy_reason", "our own device: ICE on WireGuard's sockets");
        List<Object> peers = Json.array(wg0.get("peers"));
        assertThat(peers).hasSize(3);

        Map<String, Object> alice = Json.object(peers.get(0));
        assertThat(alice).containsOnlyKeys("name", "public_key", "state", "proxy_mode", "proxy_reason", "selected_pair",
                "rtt_ms", "rx_bytes", "tx_bytes", "last_handshake", "endpoint", "restarts", "last_error");
        assertThat(alice).containsEntry("name", "alice").containsEntry("public_key", ControlFixtures.ALICE.toBase64())
                .containsEntry("state", "connected").containsEntry("proxy_mode", "bind")
                .containsEntry("proxy_reason", "our own device")
                .containsEntry("rx_bytes", 1234567L).containsEntry("tx_bytes", 2048L)
                .containsEntry("last_handshake", "2026-11-25T11:59:48Z").containsEntry("endpoint", "198.51.100.7:40000")
                .containsEntry("restarts", 2L).containsEntry("last_error", null);
        assertThat(alice.get("rtt_ms")).isEqualTo(12.34);
        Map<String, Object> pair = Json.object(alice.get("selected_pair"));
        assertThat(pair).containsOnlyKeys("local", "remote", "protocol").containsEntry("protocol", "udp");
        assertThat(Json.object(pair.get("local"))).containsExactlyInAnyOrderEntriesOf(
                Map.of("type", "host", "ip", "10.0.0.1", "port", 51820L));
        assertThat(Json.object(pair.get("remote"))).containsExactlyInAnyOrderEntriesOf(
                Map.of("type", "srflx", "ip", "198.51.100.7", "port", 40000L));

        Map<String, Object> bob = Json.object(peers.get(1));
        Map<String, Object> bobPair = Json.object(bob.get("selected_pair"));
        assertThat(Json.object(bobPair.get("local"))).containsEntry("type", "relay");
        assertThat(Json.object(bobPair.get("remote"))).containsEntry("type", "prflx").containsEntry("ip", "fd00::2");
        assertThat(bobPair).containsEntry("protocol", "tcp");
        assertThat(bob).containsEntry("state", "checking").containsEntry("rx_bytes", 5L << 30);

        Map<String, Object> carol = Json.object(peers.get(2));
        assertThat(carol).containsEntry("name", null).containsEntry("state", "failed").containsEntry("proxy_mode", null)
                .containsEntry("selected_pair", null).containsEntry("rtt_ms", null).containsEntry("last_handshake", null)
                .containsEntry("restarts", 7L).containsEntry("last_error", "no candidate pair succeeded");

        Map<String, Object> wg1 = Json.object(ifaces.get(1));
        assertThat(wg1).containsEntry("proxy_mode", "user").containsEntry("device", "userspace (uapi)");
        assertThat(Json.array(wg1.get("peers"))).isEmpty();
    }

    @Test
    void emptyDaemonRendersBothWays() {
        DaemonStatus none = new DaemonStatus("0.1.0", 1, null, List.of());
        assertThat(StatusTable.render(none, ControlFixtures.NOW, false)).isEqualTo("cunicu4j daemon 0.1.0 (pid 1)\nno interfaces\n");
        assertThat(Json.object(Json.parse(StatusJson.render(none)))).containsEntry("started", null)
                .containsEntry("interfaces", List.of()).containsEntry("counters", Map.of());
        InterfaceStatus bare = new InterfaceStatus("wg9", "kernel", null, 0, null, null, List.of());
        assertThat(StatusTable.render(new DaemonStatus("x", 1, null, List.of(bare)), ControlFixtures.NOW, false))
                .contains("  public key:   (none)\n").contains("  proxy:        -\n");
    }

    @Test
    void monitorLinesAndJsonEvents() {
        DaemonEvent change = new DaemonEvent(Instant.parse("2026-11-25T12:00:00.123Z"), DaemonEvent.Type.PEER_STATE_CHANGED,
                "wg0", ControlFixtures.ALICE, "checking", "connected", "pair host ↔ srflx");
        assertThat(EventLine.render(change))
                .isEqualTo("2026-11-25T12:00:00.123Z peer_state_changed wg0 AgICAgIC…: checking → connected (pair host ↔ srflx)");
        DaemonEvent dropped = new DaemonEvent(Instant.parse("2026-11-25T12:00:01Z"), DaemonEvent.Type.EVENTS_DROPPED,
                null, null, null, null, "5 events dropped: this watcher read too slowly");
        assertThat(EventLine.render(dropped))
                .isEqualTo("2026-11-25T12:00:01.000Z events_dropped: 5 events dropped: this watcher read too slowly");
        Map<String, Object> j = Json.object(Json.parse(StatusJson.render(change)));
        assertThat(j).containsExactlyInAnyOrderEntriesOf(new java.util.HashMap<>(Map.of(
                "time", "2026-11-25T12:00:00.123Z", "type", "peer_state_changed", "interface", "wg0",
                "peer", ControlFixtures.ALICE.toBase64(), "from", "checking", "to", "connected", "message", "pair host ↔ srflx")));
        Map<String, Object> d = Json.object(Json.parse(StatusJson.render(dropped)));
        assertThat(d).containsEntry("peer", null).containsEntry("interface", null).containsEntry("type", "events_dropped");
    }

    @Test
    void humanUnits() {
        assertThat(Units.bytes(0)).isEqualTo("0 B");
        assertThat(Units.bytes(1023)).isEqualTo("1023 B");
        assertThat(Units.bytes(1024)).isEqualTo("1.00 KiB");
        assertThat(Units.bytes(1_234_567)).isEqualTo("1.18 MiB");
        assertThat(Units.bytes(5L << 30)).isEqualTo("5.00 GiB");
        assertThat(Units.bytes(3L << 40)).isEqualTo("3.00 TiB");
        assertThat(Units.bytes(Long.MAX_VALUE)).isEqualTo("8.00 EiB");
        Instant now = ControlFixtures.NOW;
        assertThat(Units.ago(null, now)).isEqualTo("never");
        assertThat(Units.ago(now, now)).isEqualTo("now");
        assertThat(Units.ago(now.minusSeconds(12), now)).isEqualTo("12s ago");
        assertThat(Units.ago(now.minusSeconds(184), now)).isEqualTo("3m4s ago");
        assertThat(Units.ago(now.minusSeconds(2 * 3600 + 5 * 60 + 9), now)).isEqualTo("2h5m ago");
        assertThat(Units.ago(now.minusSeconds(3 * 86400 + 4 * 3600), now)).isEqualTo("3d4h ago");
        assertThat(Units.ago(now.plusSeconds(5), now)).isEqualTo("in the future (clock skew)");
        assertThat(Units.rtt(null)).isEqualTo("-");
        assertThat(Units.rtt(Duration.ofNanos(850_000))).isEqualTo("0.9 ms");
        assertThat(Units.rtt(Duration.ofNanos(12_340_000))).isEqualTo("12.3 ms");
    }

    @Test
    void controlCharactersFromAfarAreEscaped() {
        assertThat(Units.printable("plain ↔ text")).isEqualTo("plain ↔ text");
        assertThat(Units.printable("a\033[31mb\nc\u009bd\u007f")).isEqualTo("a\\x1b[31mb\\x0ac\\x9bd\\x7f");
        DaemonEvent evil = new DaemonEvent(Instant.EPOCH, DaemonEvent.Type.ERROR, "wg0", null, null, null,
                "signaling said \033[2J\nhello");
        assertThat(EventLine.render(evil)).isEqualTo("1970-01-01T00:00:00.000Z error wg0: signaling said \\x1b[2J\\x0ahello");
        var s = ControlFixtures.status();
        var p = s.interfaces().getFirst().peers().get(2);
        var evilPeer = new org.cunicu4j.daemon.api.PeerSessionStatus("m\033]0;x\007", p.publicKey(), p.state(), null, null,
                null, null, 0, 0, null, null, 0, "bad\033[0m");
        String table = StatusTable.render(new DaemonStatus("v", 1, null, List.of(new InterfaceStatus("wg0", "d", null, 1, null,
                null, List.of(evilPeer)))), ControlFixtures.NOW, false);
        assertThat(table).doesNotContain("\033").contains("m\\x1b]0;x\\x07").contains("error: bad\\x1b[0m");

        String sneaky = "a\u0085b\u2028c\u2029d\u202ae\u202ef\u2066g\u2069h\u009bi\u007fj";
        assertThat(Units.printable(sneaky)).isEqualTo("a\\x85b\\u2028c\\u2029d\\u202ae\\u202ef\\u2066g\\u2069h\\x9bi\\x7fj");
        assertThat(StatusTable.render(new DaemonStatus("1.0\033[2J\u202e", 1, null, List.of()), ControlFixtures.NOW, false))
                .as("the version too").startsWith("cunicu4j daemon 1.0\\x1b[2J\\u202e (pid 1)\n");

        // JSON: the same characters as \\uNNNN escapes, never raw; a parser gets the text back
        var jsonPeer = new org.cunicu4j.daemon.api.PeerSessionStatus(sneaky, p.publicKey(), p.state(), null, null,
                null, null, 0, 0, null, null, 0, "bad\033[0m");
        String json = StatusJson.render(new DaemonStatus(sneaky, 1, null, List.of(new InterfaceStatus("wg0", "d", null, 1, null,
                null, List.of(jsonPeer)))));
        for (char c : sneaky.toCharArray()) {
            if (c < 'a' || c > 'z') {
                assertThat(json).as("U+%04X escaped", (int) c).doesNotContain(String.valueOf(c))
                        .contains(String.format("\\u%04x", (int) c));
            }
        }
        assertThat(json).doesNotContain("\033").contains("bad\\u001b[0m");
        Map<String, Object> doc = Json.object(Json.parse(json));
        assertThat(doc.get("version")).isEqualTo(sneaky);
        Map<String, Object> peer = Json.object(Json.array(Json.object(Json.array(doc.get("interfaces")).getFirst()).get("peers")).getFirst());
        assertThat(peer).containsEntry("name", sneaky).containsEntry("last_error", "bad\033[0m");
        String event = StatusJson.render(new DaemonEvent(Instant.EPOCH, DaemonEvent.Type.ERROR, null, null, null, null, sneaky));
        assertThat(event).doesNotContain("\u202e").doesNotContain("\u2028");
        assertThat(Json.object(Json.parse(event))).containsEntry("message", sneaky);
    }

    @Test
    void rttMillisecondsAreWrittenWithoutAnExponent() {
        var p = ControlFixtures.status().interfaces().getFirst().peers().getFirst();
        for (var c : List.of(Map.entry(Duration.ofNanos(1), "0.000001"), Map.entry(Duration.ofSeconds(100_000_000), "100000000000"),
                Map.entry(Duration.ofMillis(10), "10"), Map.entry(Duration.ofNanos(12_340_000), "12.34"),
                Map.entry(Duration.ZERO, "0"))) {
            var peer = new org.cunicu4j.daemon.api.PeerSessionStatus(p.name(), p.publicKey(), p.state(), null, null, null,
                    c.getKey(), 0, 0, null, null, 0, null);
            String json = StatusJson.render(new DaemonStatus("v", 1, null, List.of(new InterfaceStatus("wg0", "d", null, 1,
                    null, null, List.of(peer)))));
            assertThat(json).as(c.getKey().toString()).contains("\"rtt_ms\":" + c.getValue() + ",");
        }
    }

    @Test
    void privateKeysAreNeverPrinted() {
        DaemonEvent leaky = new DaemonEvent(Instant.EPOCH, DaemonEvent.Type.ERROR, "wg0",
                org.cunicu4j.wireguard.Key.generatePrivate(), null, null, null);
        assertThatThrownBy(() -> StatusJson.render(leaky)).hasMessage("refusing to print a PRIVATE key");
    }
}
