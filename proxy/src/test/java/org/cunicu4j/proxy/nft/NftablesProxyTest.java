package org.cunicu4j.proxy.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.linux.Capabilities;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.proxy.user.RelayFallback;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

/**
 * NftablesProxy's table in a lab namespace, read back with the {@code nft} tool: a missing
 * library is a reason and installs nothing; a stale table of a crashed run is replaced, not
 * duplicated; per-peer output rules follow the selected pair (replaced, removed for a relay
 * pair and on close) and every rule follows the listen port, each port write updating the UDP
 * checksum (nft's netlink view); close deletes the table. A failed removal keeps the state
 * and a relay pair is served anyway; a closing owner sets no endpoint; a pending interrupt
 * neither fails a change nor is lost.
 * Changes are reported from this (the JVM's first namespace) thread: the rules still land in
 * the device's namespace.
 */
@RequiresRoot
@RequiresTools("nft")
class NftablesProxyTest {
    private static final int PORT = 51820;

    @Test
    void aMissingLibraryIsAReasonAndInstallsNothing() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            assertThatThrownBy(() -> NetNs.call(h.netns(), () -> NftablesProxy.open(control, PORT, "/nonexistent/libnftables.so.1")))
                    .isInstanceOfSatisfying(ProxyUnavailableException.class, e -> assertThat(e.mode()).isEqualTo(ProxyMode.NFTABLES))
                    .hasMessage("nftables unavailable: /nonexistent/libnftables.so.1 not found (install libnftables1)");
            assertThat(NftListing.of(h).tables()).isEmpty();
        }
    }

    @Test
    void withoutCapNetAdminItIsAReasonAndOpensNothing() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            assertThatThrownBy(() -> NetNs.call(h.netns(), () -> {
                Capabilities.dropOnCurrentThread(Capabilities.CAP_NET_ADMIN); // this throwaway thread only
                return NftablesProxy.open(control, PORT);
            })).isInstanceOfSatisfying(ProxyUnavailableException.class, e -> assertThat(e.mode()).isEqualTo(ProxyMode.NFTABLES))
                    .hasMessageContaining("CAP_NET_ADMIN is lacking");
            assertThat(NftListing.of(h).tables()).isEmpty();
            // a guard only: today the capability is checked before the nft thread is made, so
            // this holds by construction; it fails if a reordering ever leaks the thread
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.equals("nft " + control.name()))).as("no nft thread (guard)").isEmpty();
        }
    }

    @Test
    void aStaleTableIsReplacedWithoutDuplicates() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            String table = NftablesProxy.tableName(control.name());
            // what a crashed run left: the chains, an old per-peer rule, an old input rule, and a chain we no longer make
            h.run("nft", "add table inet " + table);
            h.run("nft", "add chain inet " + table + " input { type filter hook input priority raw; policy accept; }");
            h.run("nft", "add chain inet " + table + " output { type filter hook output priority raw; policy accept; }");
            h.run("nft", "add rule inet " + table + " input udp dport 1111 notrack udp dport set " + PORT + " comment \"stale\"");
            h.run("nft", "add rule inet " + table + " output udp sport " + PORT + " ip daddr 192.0.2.1 udp dport 2222 notrack udp sport set 1111 comment \"stale\"");
            h.run("nft", "add chain inet " + table + " leftover");
            h.run("nft", "add table inet other"); // someone else's table stays
            NftablesProxy proxy = NetNs.call(h.netns(), () -> NftablesProxy.open(control, PORT));
            try {
                NftListing l = NftListing.of(h);
                assertThat(l.tablesNamed(table)).as(l.text()).isEqualTo(1);
                assertThat(l.chainsOf(table)).as(l.text()).containsExactlyInAnyOrder("input", "output");
                List<NftListing.Rule> input = l.rulesOf(table, "input");
                assertThat(input).as(l.text()).hasSize(proxy.iceAddresses().size());
                assertThat(input).allSatisfy(r -> assertThat(r.comment()).isEqualTo("cunicu4j"));
                assertThat(l.rulesOf(table, "output")).as("no peer connected yet: " + l.text()).isEmpty();
                assertThat(l.tablesNamed("other")).isEqualTo(1);

                // a second open (a restart without a clean close) again leaves one table
                NetNs.call(h.netns(), () -> {
                    NftablesProxy again = NftablesProxy.open(control, PORT);
                    try {
                        NftListing l2 = NftListing.of(h);
                        assertThat(l2.tablesNamed(table)).as(l2.text()).isEqualTo(1);
                        assertThat(l2.chainsOf(table)).as(l2.text()).containsExactlyInAnyOrder("input", "output");
                        List<NftListing.Rule> input2 = l2.rulesOf(table, "input");
                        assertThat(input2).as("only the second run's input rules: " + l2.text()).hasSize(again.iceAddresses().size());
                        assertThat(input2.stream().map(r -> r.match("udp", "dport")))
                                .as("they send the second run's ICE ports on: " + l2.text())
                                .containsExactlyInAnyOrderElementsOf(again.iceAddresses().stream().map(a -> (Object) (long) a.getPort()).toList());
                        assertThat(l2.rulesOf(table, "output")).as(l2.text()).isEmpty();
                    } finally {
                        again.close();
                    }
                    return null;
                });
            } finally {
                proxy.close();
            }
            NftListing after = NftListing.of(h);
            assertThat(after.tablesNamed(table)).as(after.text()).isZero();
            assertThat(after.tablesNamed("other")).isEqualTo(1);
        }
    }

    @Test
    void peerRulesFollowThePairAndEveryRuleFollowsTheListenPort() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            String table = NftablesProxy.tableName(control.name());
            NftablesProxy proxy = NetNs.call(h.netns(), () -> NftablesProxy.open(control, PORT));
            Key peer = Key.generatePrivate().publicKey();
            Key other = Key.generatePrivate().publicKey();
            IceAgent agent = IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
            IceAgent otherAgent = IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
            int ice4 = proxy.iceAddresses().stream().filter(a -> a.getAddress() instanceof java.net.Inet4Address)
                    .findFirst().orElseThrow().getPort();
            try {
                assertThat(proxy.gatherers(GatherSettings.hostOnly())).isNotEmpty();
                PeerProxy p = NetNs.call(h.netns(), () -> proxy.attach(peer, agent));
                PeerProxy q = NetNs.call(h.netns(), () -> proxy.attach(other, otherAgent));

                InetSocketAddress remote1 = new InetSocketAddress("198.18.2.1", 40001);
                p.selectedPairChanged(pair(CandidateType.SERVER_REFLEXIVE, remote1));
                q.selectedPairChanged(pair(CandidateType.HOST, new InetSocketAddress("198.18.3.1", 40003)));
                assertThat(control.endpoints).containsEntry(peer, remote1);
                assertThat(p.mode()).isEqualTo(ProxyMode.NFTABLES);
                assertThat(p.reason()).isEqualTo(NftablesProxy.REASON);
                NftListing.Rule r = peerRule(h, table, peer);
                assertThat(r.match("ip", "daddr")).isEqualTo("198.18.2.1");
                assertThat(r.match("udp", "dport")).isEqualTo(40001L);
                assertThat(r.match("udp", "sport")).isEqualTo((long) PORT);
                assertThat(r.rewrite("sport")).isEqualTo((long) ice4);
                assertThat(r.notrack()).isTrue();
                NftListing.Rule in = NftListing.of(h).rulesOf(table, "input").getFirst();
                assertThat(in.match("udp", "dport")).isEqualTo((long) ice4);
                assertThat(in.rewrite("dport")).isEqualTo((long) PORT);
                assertThat(in.skipsStun()).as("STUN still reaches ICE").isTrue();
                assertChecksummedPortWrites(h, table, proxy.iceAddresses().size(), 2);

                InetSocketAddress remote2 = new InetSocketAddress("198.18.2.1", 40002);
                p.selectedPairChanged(pair(CandidateType.HOST, remote2));
                assertThat(NftListing.of(h).rulesOf(table, "output")).as("one rule per peer: replaced, not added").hasSize(2);
                assertThat(peerRule(h, table, peer).match("udp", "dport")).isEqualTo(40002L);

                proxy.listenPortChanged(40000);
                NftListing l = NftListing.of(h);
                assertThat(l.rulesOf(table, "input")).allSatisfy(x -> assertThat(x.rewrite("dport")).isEqualTo(40000L));
                assertThat(l.rulesOf(table, "output")).hasSize(2).allSatisfy(x -> assertThat(x.match("udp", "sport")).isEqualTo(40000L));
                control.listenPort = 40000;

                IceCandidatePair relay = new IceCandidatePair(
                        new Candidate("r", 1, 100, new InetSocketAddress("198.18.0.10", 50000), CandidateType.RELAY,
                                new InetSocketAddress("198.18.1.1", 1234), Candidate.RelayProtocol.UDP),
                        remote(CandidateType.HOST, new InetSocketAddress("198.18.2.1", 40002)));
                p.selectedPairChanged(relay);
                assertThat(p.mode()).isEqualTo(ProxyMode.USER);
                assertThat(p.reason()).isEqualTo(RelayFallback.REASON);
                assertThat(control.endpoints.get(peer).getAddress().isLoopbackAddress()).as("WireGuard points at the fallback's loopback socket").isTrue();
                assertThat(NftListing.of(h).rulesOf(table, "output")).as("the relay pair has no rule").hasSize(1);

                p.selectedPairChanged(pair(CandidateType.HOST, remote1));
                assertThat(p.mode()).isEqualTo(ProxyMode.NFTABLES);
                assertThat(NftListing.of(h).rulesOf(table, "output")).hasSize(2);
                p.selectedPairChanged(null);
                assertThat(NftListing.of(h).rulesOf(table, "output")).as("no pair, no rule").hasSize(1);
                p.selectedPairChanged(pair(CandidateType.HOST, remote1));

                q.close();
                assertThat(NftListing.of(h).rulesOf(table, "output")).as("a closed peer's rule goes").hasSize(1);
                assertThat(p.stats().txPackets()).as("the kernel path copies nothing").isZero();
            } finally {
                proxy.close();
                agent.close();
                otherAgent.close();
            }
            assertThat(NftListing.of(h).tablesNamed(table)).isZero();
            proxy.close(); // idempotent
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.equals("nft " + control.name()))).as("the nft thread ended").isEmpty();
        }
    }

    @Test
    void aFailedRemovalKeepsThePairAndARelayPairIsServedAnyway() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            String table = NftablesProxy.tableName(control.name());
            NftablesProxy proxy = NetNs.call(h.netns(), () -> NftablesProxy.open(control, PORT));
            Key peer = Key.generatePrivate().publicKey();
            IceAgent agent = IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
            try {
                PeerProxy p = NetNs.call(h.netns(), () -> proxy.attach(peer, agent));
                InetSocketAddress remote = new InetSocketAddress("198.18.2.1", 40001);
                p.selectedPairChanged(pair(CandidateType.HOST, remote));
                assertThat(proxy.pairOf(peer)).isEqualTo(remote);

                // someone replaced the base chain input by a regular one: nft refuses every rewrite of the table
                h.run("nft", "delete table inet " + table);
                h.run("nft", "add table inet " + table);
                h.run("nft", "add chain inet " + table + " input");

                assertThatThrownBy(() -> p.selectedPairChanged(null)).isInstanceOf(java.io.IOException.class);
                assertThat(proxy.pairOf(peer)).as("the removal failed, so the state still has the rule").isEqualTo(remote);

                p.selectedPairChanged(relayPair());
                assertThat(p.mode()).as("the relay pair is served although the rule could not go").isEqualTo(ProxyMode.USER);
                assertThat(p.reason()).isEqualTo(RelayFallback.REASON);
                assertThat(control.endpoints.get(peer).getAddress().isLoopbackAddress())
                        .as("WireGuard points at the fallback's loopback socket").isTrue();
                assertThat(proxy.pairOf(peer)).isEqualTo(remote);
            } finally {
                proxy.close();
                agent.close();
            }
            assertThat(NftListing.of(h).tablesNamed(table)).as("close deletes even the broken table").isZero();
        }
    }

    @Test
    void onceTheOwnerIsClosingADirectPairSetsNoEndpoint() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            String table = NftablesProxy.tableName(control.name());
            NftablesProxy proxy = NetNs.call(h.netns(), () -> NftablesProxy.open(control, PORT));
            Key peer = Key.generatePrivate().publicKey();
            IceAgent agent = IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
            proxy.close();
            // the window of a real close: the owner is closing, this peer's proxy not yet
            NftPeerProxy p = NetNs.call(h.netns(), () -> NftPeerProxy.open(proxy, control, PORT, peer, agent, x -> { }));
            try {
                InetSocketAddress remote = new InetSocketAddress("198.18.2.1", 40001);
                assertThat(proxy.setPair(peer, remote)).as("no rule once closing").isFalse();
                p.selectedPairChanged(pair(CandidateType.HOST, remote));
                assertThat(control.endpoints).as("no endpoint without its rule").doesNotContainKey(peer);
                assertThat(p.mode()).isEqualTo(ProxyMode.NFTABLES);
                assertThat(NftListing.of(h).tablesNamed(table)).isZero();
            } finally {
                p.close();
                agent.close();
            }
        }
    }

    @Test
    void aPendingInterruptNeitherFailsAChangeNorIsLost() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            RecordingControl control = new RecordingControl(WireguardGo.newInterfaceName(), PORT);
            String table = NftablesProxy.tableName(control.name());
            NftablesProxy proxy = NetNs.call(h.netns(), () -> NftablesProxy.open(control, PORT));
            Key peer = Key.generatePrivate().publicKey();
            IceAgent agent = IceAgent.create(IceConfig.builder().build(), IceRole.CONTROLLING, List.of());
            try {
                PeerProxy p = NetNs.call(h.netns(), () -> proxy.attach(peer, agent));
                InetSocketAddress remote = new InetSocketAddress("198.18.2.1", 40001);
                boolean stillInterrupted;
                Thread.currentThread().interrupt();
                try {
                    p.selectedPairChanged(pair(CandidateType.HOST, remote));
                } finally {
                    stillInterrupted = Thread.interrupted();
                }
                assertThat(stillInterrupted).as("the interrupt is set again after the wait").isTrue();
                assertThat(control.endpoints).containsEntry(peer, remote);
                assertThat(proxy.pairOf(peer)).isEqualTo(remote);
                assertThat(peerRule(h, table, peer).match("udp", "dport")).as("the rule was written").isEqualTo(40001L);
            } finally {
                proxy.close();
                agent.close();
            }
        }
    }

    /**
     * nft's netlink view of the table: every port write (input: udp dport at transport offset
     * 2; output: udp sport at offset 0) updates the inet checksum at UDP offset 6. Over veth
     * the lab's pings cannot show this (CHECKSUM_PARTIAL skips verification); here the kernel's
     * own rule says so.
     */
    private static void assertChecksummedPortWrites(Host h, String table, int inputRules, int outputRules) {
        String debug = h.run("nft", "--debug=netlink", "list", "table", "inet", table).stdout();
        Map<String, List<String>> writes = new HashMap<>();
        String chain = null;
        String header = "inet " + table + " ";
        for (String line : debug.lines().toList()) {
            if (line.startsWith(header)) {
                chain = line.substring(header.length()).split(" ")[0];
            } else if (chain != null && line.contains("payload write")) {
                writes.computeIfAbsent(chain, c -> new ArrayList<>()).add(line.strip());
            }
        }
        assertThat(writes.get("input")).as(debug).hasSize(inputRules)
                .allSatisfy(w -> assertThat(w).contains("@ transport header + 2 csum_type 1 csum_off 6"));
        assertThat(writes.get("output")).as(debug).hasSize(outputRules)
                .allSatisfy(w -> assertThat(w).contains("@ transport header + 0 csum_type 1 csum_off 6"));
    }

    private static IceCandidatePair relayPair() {
        return new IceCandidatePair(
                new Candidate("r", 1, 100, new InetSocketAddress("198.18.0.10", 50000), CandidateType.RELAY,
                        new InetSocketAddress("198.18.1.1", 1234), Candidate.RelayProtocol.UDP),
                remote(CandidateType.HOST, new InetSocketAddress("198.18.2.1", 40002)));
    }

    private static NftListing.Rule peerRule(Host h, String table, Key peer) {
        String comment = "cunicu4j peer " + peer.toBase64().substring(0, 8);
        return NftListing.of(h).rulesOf(table, "output").stream().filter(r -> comment.equals(r.comment())).findFirst()
                .orElseThrow(() -> new AssertionError("no rule with comment " + comment));
    }

    private static IceCandidatePair pair(CandidateType localType, InetSocketAddress remote) {
        Candidate local = new Candidate("l", 1, 100, new InetSocketAddress("10.1.0.2", 30000), localType,
                localType == CandidateType.HOST ? null : new InetSocketAddress("10.1.0.2", 30000), null);
        return new IceCandidatePair(local, remote(CandidateType.HOST, remote));
    }

    private static Candidate remote(CandidateType type, InetSocketAddress address) {
        return new Candidate("r", 1, 100, address, type, null, null);
    }
}
