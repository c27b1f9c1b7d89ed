package org.cunicu4j.proxy.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
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
 * pair and on close) and every rule follows the listen port; close deletes the table.
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
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.equals("nft " + control.name()))).as("no nft thread left").isEmpty();
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
                    again.close();
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
