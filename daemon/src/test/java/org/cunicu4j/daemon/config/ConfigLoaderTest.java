package org.cunicu4j.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cunicu4j.daemon.config.ConfigTesting.BOB;
import static org.cunicu4j.daemon.config.ConfigTesting.CAROL;
import static org.cunicu4j.daemon.config.ConfigTesting.PRIV;
import static org.cunicu4j.daemon.config.ConfigTesting.PSK;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void theDocumentedExampleLoadsWithEveryKey() {
        Path file = ConfigTesting.write(dir, "cunicu.yaml", ConfigTesting.example(), "rw-------");
        DaemonConfig c = ConfigLoader.load(file, Map.of(), List.of());

        assertThat(c.source()).isEqualTo(file);
        assertThat(c.backends()).containsExactly("grpc://signal.example.org:8080");
        assertThat(c.watchInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.rpcSocket()).isEqualTo(Path.of("/var/run/cunicu4j.sock"));
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.explicitInterfaces()).containsExactly("wg0", "wg1");
        assertThat(c.interfacePatterns()).containsExactly("wg*", "wg0", "wg1");

        InterfaceConfig wg0 = c.interfaceConfig("wg0");
        assertThat(wg0.privateKey()).isEqualTo(Key.parsePrivate(PRIV));
        assertThat(wg0.listenPort()).isEqualTo(51820);
        assertThat(wg0.listenPortRange()).isEqualTo(new PortRange(51820, 51899));
        assertThat(wg0.userspace()).isTrue();
        assertThat(wg0.mtu()).isEqualTo(1420); // from "wg*"
        assertThat(wg0.addresses()).containsExactly(IpPrefix.parse("10.237.0.1/24"), IpPrefix.parse("fd00:cafe::1/64"));
        assertThat(wg0.proxy()).isEmpty();
        assertThat(wg0.peers()).containsOnlyKeys("bob", "carol");
        assertThat(wg0.peers().keySet()).containsExactly("bob", "carol");
        PeerConfig bob = wg0.peers().get("bob");
        assertThat(bob.publicKey()).isEqualTo(Key.parsePublic(BOB));
        assertThat(bob.presharedKey()).isEqualTo(Key.parsePreshared(PSK));
        assertThat(bob.endpoint()).isNull();
        assertThat(bob.allowedIps()).containsExactly(IpPrefix.parse("10.237.0.2/32"), IpPrefix.parse("fd00:cafe::2/128"));
        assertThat(bob.persistentKeepalive()).isEqualTo(Duration.ofSeconds(25));
        PeerConfig carol = wg0.peers().get("carol");
        assertThat(carol.publicKey()).isEqualTo(Key.parsePublic(CAROL));
        assertThat(carol.endpoint()).isEqualTo("carol.example.org:51820");
        assertThat(carol.presharedKey()).isNull();

        IceSettings ice = wg0.ice();
        assertThat(ice.urls()).containsExactly("stun:stun.example.org:3478", "turn:turn.example.org:3478?transport=udp");
        assertThat(ice.checkInterval()).isEqualTo(Duration.ofMillis(100)); // "wg*" over the top level
        assertThat(ice.disconnectedTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ice.failedTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(ice.keepaliveInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ice.username()).isEqualTo("cunicu");
        assertThat(ice.password()).isEqualTo("s3cret-turn-password");
        assertThat(ice.candidateTypes()).isEqualTo(EnumSet.allOf(CandidateType.class));
        assertThat(ice.networkTypes()).containsExactlyInAnyOrder(NetworkType.UDP4, NetworkType.UDP6);
        assertThat(ice.interfacesExclude()).containsExactly("wg*");

        GatherSettings g = ice.gatherSettings();
        assertThat(g.stun()).hasSize(1);
        assertThat(g.stun().getFirst().host()).isEqualTo("stun.example.org");
        assertThat(g.turn()).hasSize(1);
        assertThat(g.turn().getFirst().port()).isEqualTo(3478);
        assertThat(g.turnUsername()).isEqualTo("cunicu");
        assertThat(g.turnPassword()).isEqualTo("s3cret-turn-password");
        assertThat(g.ipv4()).isTrue();
        assertThat(g.ipv6()).isTrue();
        assertThat(g.interfaces().accepts("eth0")).isTrue();
        assertThat(g.interfaces().accepts("wg0")).isFalse();

        InterfaceConfig wg1 = c.interfaceConfig("wg1");
        assertThat(wg1.userspace()).isFalse();
        assertThat(wg1.proxy()).contains(ProxyMode.USER);
        assertThat(wg1.listenPort()).isEqualTo(51821);
        assertThat(wg1.privateKey()).isNull();
        assertThat(wg1.peers()).isEmpty();
        assertThat(wg1.mtu()).isEqualTo(1420);
        assertThat(wg1.community()).isEqualTo("correct horse battery staple");
        assertThat(wg1.discoveryEnabled()).isTrue();
        assertThat(wg1.hostname()).isEqualTo("alpha");
        assertThat(wg1.blacklist()).containsExactly(Key.parsePublic(BOB));
        assertThat(wg1.whitelist()).isEmpty();
        assertThat(wg1.prefixes()).containsExactly(IpPrefix.parse("fc2f:9a4d::/32"), IpPrefix.parse("10.237.0.0/16"));
        assertThat(wg0.discoveryEnabled()).as("the top level's empty community").isFalse();
        assertThat(wg0.hostname()).isNull();
    }

    @Test
    void noFileGivesTheDefaults() {
        DaemonConfig c = ConfigLoader.defaults(Map.of("PATH", "/bin"), List.of());
        assertThat(c.source()).isNull();
        assertThat(c.backends()).isEmpty();
        assertThat(c.watchInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.rpcSocket()).isEqualTo(Path.of("/var/run/cunicu4j.sock"));
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.explicitInterfaces()).isEmpty();
        InterfaceConfig i = c.interfaceConfig("anything");
        assertThat(i).isEqualTo(InterfaceConfig.DEFAULT);
        assertThat(i.privateKey()).isNull();
        assertThat(i.listenPort()).isNull();
        assertThat(i.listenPortRange()).isEqualTo(new PortRange(51820, 51899));
        assertThat(i.userspace()).isTrue();
        assertThat(i.mtu()).isNull();
        assertThat(i.addresses()).isEmpty();
        assertThat(i.peers()).isEmpty();
        assertThat(i.proxy()).isEqualTo(Optional.empty());
        assertThat(i.prefixes()).containsExactly(IpPrefix.parse("fc2f:9a4d::/32"), IpPrefix.parse("10.237.0.0/16"));
        assertThat(i.community()).isEmpty();
        assertThat(i.discoverPeers()).isTrue();
        assertThat(i.discoveryEnabled()).isFalse();
        assertThat(i.whitelist()).isEmpty();
        assertThat(i.blacklist()).isEmpty();
        assertThat(i.hostname()).isNull();
        IceSettings ice = i.ice();
        assertThat(ice.urls()).isEmpty();
        assertThat(ice.candidateTypes()).containsExactlyInAnyOrder(CandidateType.values());
        assertThat(ice.networkTypes()).containsExactlyInAnyOrder(NetworkType.values());
        assertThat(ice.checkInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(ice.disconnectedTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ice.failedTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(ice.keepaliveInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ice.interfacesInclude()).isEmpty();
        assertThat(ice.interfacesExclude()).containsExactly("wg*");
        assertThat(ice.username()).isNull();
        assertThat(ice.password()).isNull();
        // the same filter the gatherers use by default
        assertThat(ice.interfaceFilter().toString()).isEqualTo(org.cunicu4j.ice.gather.InterfaceFilter.DEFAULT.toString());
    }

    @Test
    void theZeroConfigurationKeysLoadAndMergePerInterface() {
        String yaml = """
                community: "some passphrase"
                prefixes: [fd00:1::/48, 10.99.0.0/16]
                whitelist: [%s, %s]
                blacklist:
                  - %s
                hostname: alpha.example
                interfaces:
                  wg0: {discover_peers: false, prefixes: []}
                  wg1: {community: ""}
                """.formatted(ConfigTesting.BOB, ConfigTesting.CAROL, ConfigTesting.CAROL);
        DaemonConfig c = ConfigLoader.parse(yaml, "z.yaml", Map.of(), List.of());
        InterfaceConfig d = c.interfaceDefaults();
        assertThat(d.community()).isEqualTo("some passphrase");
        assertThat(d.discoveryEnabled()).isTrue();
        assertThat(d.prefixes()).containsExactly(IpPrefix.parse("fd00:1::/48"), IpPrefix.parse("10.99.0.0/16"));
        assertThat(d.whitelist()).containsExactly(org.cunicu4j.wireguard.Key.parse(ConfigTesting.BOB, org.cunicu4j.wireguard.Key.Type.PUBLIC),
                org.cunicu4j.wireguard.Key.parse(ConfigTesting.CAROL, org.cunicu4j.wireguard.Key.Type.PUBLIC));
        assertThat(d.blacklist()).containsExactly(org.cunicu4j.wireguard.Key.parse(ConfigTesting.CAROL, org.cunicu4j.wireguard.Key.Type.PUBLIC));
        assertThat(d.hostname()).isEqualTo("alpha.example");
        InterfaceConfig wg0 = c.interfaceConfig("wg0");
        assertThat(wg0.discoverPeers()).isFalse();
        assertThat(wg0.discoveryEnabled()).isFalse();
        assertThat(wg0.prefixes()).isEmpty();
        assertThat(wg0.community()).isEqualTo("some passphrase");
        InterfaceConfig wg1 = c.interfaceConfig("wg1");
        assertThat(wg1.community()).isEmpty();
        assertThat(wg1.discoveryEnabled()).isFalse();
        assertThat(wg1.hostname()).isEqualTo("alpha.example");
        // the environment sets them too
        DaemonConfig env = ConfigLoader.parse("", "e.yaml", Map.of("CUNICU_COMMUNITY", "x", "CUNICU_DISCOVER_PEERS", "false",
                "CUNICU_PREFIXES", "[10.1.0.0/16]"), List.of());
        assertThat(env.interfaceDefaults().community()).isEqualTo("x");
        assertThat(env.interfaceDefaults().discoverPeers()).isFalse();
        assertThat(env.interfaceDefaults().prefixes()).containsExactly(IpPrefix.parse("10.1.0.0/16"));
    }

    @Test
    void anEmptyFileIsTheDefaults() {
        Path file = ConfigTesting.write(dir, "empty.yaml", "# nothing here\n", "rw-r--r--");
        DaemonConfig c = ConfigLoader.load(file, Map.of(), List.of());
        assertThat(c.interfaceConfig("wg0")).isEqualTo(InterfaceConfig.DEFAULT);
        assertThat(c.source()).isEqualTo(file);
    }

    @Test
    void globEntriesMergeInFileOrderLaterWinsPerKey() {
        String yaml = """
                mtu: 1300
                listen_port_range: {min: 40000, max: 40099}
                ice:
                  urls: [stun:top:3478]
                  username: top
                interfaces:
                  "*":
                    mtu: 1400
                    ice: {username: star}
                  "wg?":
                    mtu: 1380
                    listen_port_range: {max: 40010}
                    ice: {check_interval: 1s}
                  "wg[0-4]":
                    userspace: false
                    ice: {urls: [stun:low:3478]}
                  wg1:
                    listen_port: 40001
                  "wg[!0-4]":
                    proxy: raw
                """;
        DaemonConfig c = ConfigLoader.parse(yaml, "t.yaml", Map.of(), List.of());

        InterfaceConfig wg1 = c.interfaceConfig("wg1");
        assertThat(wg1.mtu()).isEqualTo(1380); // "wg?" after "*"
        assertThat(wg1.listenPortRange()).isEqualTo(new PortRange(40000, 40010)); // map merged key by key
        assertThat(wg1.userspace()).isFalse();
        assertThat(wg1.listenPort()).isEqualTo(40001);
        assertThat(wg1.ice().urls()).containsExactly("stun:low:3478"); // list replaced
        assertThat(wg1.ice().username()).isEqualTo("star");
        assertThat(wg1.ice().checkInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(wg1.proxy()).isEmpty();

        InterfaceConfig wg7 = c.interfaceConfig("wg7");
        assertThat(wg7.userspace()).isTrue();
        assertThat(wg7.proxy()).contains(ProxyMode.RAW);
        assertThat(wg7.listenPort()).isNull();
        assertThat(wg7.ice().urls()).containsExactly("stun:top:3478");

        InterfaceConfig eth = c.interfaceConfig("eth0"); // only "*"
        assertThat(eth.mtu()).isEqualTo(1400);
        assertThat(eth.listenPortRange()).isEqualTo(new PortRange(40000, 40099));
        assertThat(eth.ice().checkInterval()).isEqualTo(Duration.ofMillis(200));

        InterfaceConfig wg10 = c.interfaceConfig("wg10"); // "wg?" does not match two characters
        assertThat(wg10.mtu()).isEqualTo(1400);

        assertThat(c.explicitInterfaces()).containsExactly("wg1");
        assertThat(c.interfaceDefaults().mtu()).isEqualTo(1300);
    }

    @Test
    void peersMergeByNameAcrossEntries() {
        String yaml = """
                peers:
                  bob: {public_key: "%s", allowed_ips: [10.0.0.2/32]}
                interfaces:
                  wg0:
                    peers:
                      bob: {endpoint: "[2001:db8::1]:51820"}
                      carol: {public_key: "%s"}
                """.formatted(BOB, CAROL);
        InterfaceConfig wg0 = ConfigLoader.parse(yaml, "t.yaml", Map.of(), List.of()).interfaceConfig("wg0");
        assertThat(wg0.peers().keySet()).containsExactly("bob", "carol");
        assertThat(wg0.peers().get("bob").endpoint()).isEqualTo("[2001:db8::1]:51820");
        assertThat(wg0.peers().get("bob").allowedIps()).containsExactly(IpPrefix.parse("10.0.0.2/32"));
    }

    @Test
    void valueFormsAreAccepted() {
        String ok = """
                watch_interval: 1h30m
                listen_port_range: 52000-52010
                log: {level: WARNING}
                ice:
                  network_types: [udp6]
                  candidate_types: [host, relay]
                  check_interval: 1.5s
                  keepalive_interval: 3
                interfaces:
                  wg0:
                    peers:
                      bob: {public_key: "%s", persistent_keepalive: 30s}
                      carol: {public_key: "%s", persistent_keepalive: 0}
                """.formatted(BOB, CAROL);
        DaemonConfig c = ConfigLoader.parse(ok, "t.yaml", Map.of(), List.of());
        assertThat(c.watchInterval()).isEqualTo(Duration.ofMinutes(90));
        assertThat(c.logLevel()).isEqualTo("warn");
        InterfaceConfig wg0 = c.interfaceConfig("wg0");
        assertThat(wg0.listenPortRange()).isEqualTo(new PortRange(52000, 52010));
        assertThat(wg0.ice().networkTypes()).containsExactly(NetworkType.UDP6);
        assertThat(wg0.ice().gatherSettings().ipv4()).isFalse();
        assertThat(wg0.ice().candidateTypes()).containsExactlyInAnyOrder(CandidateType.HOST, CandidateType.RELAY);
        assertThat(wg0.ice().checkInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(wg0.ice().keepaliveInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(wg0.peers().get("bob").persistentKeepalive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(wg0.peers().get("carol").persistentKeepalive()).isNull();
    }

    @Test
    void nullValuesMeanUnsetAndAnEmptyInterfaceEntryIsExplicit() {
        String yaml = """
                mtu: 1400
                interfaces:
                  wg0:
                  wg1:
                    mtu: ~
                """;
        DaemonConfig c = ConfigLoader.parse(yaml, "t.yaml", Map.of(), List.of());
        assertThat(c.explicitInterfaces()).containsExactly("wg0", "wg1");
        assertThat(c.interfaceConfig("wg0").mtu()).isEqualTo(1400);
        assertThat(c.interfaceConfig("wg1").mtu()).isNull(); // reset to the default
    }
}
