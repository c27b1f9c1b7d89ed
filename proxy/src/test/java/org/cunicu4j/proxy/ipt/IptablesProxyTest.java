package org.cunicu4j.proxy.ipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cunicu4j.ice.Candidate;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceAgent;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.proxy.PeerProxy;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.proxy.ProxyUnavailableException;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.NatRouter;
import org.cunicu4j.testlab.NatType;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Topology;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IptablesProxy's rules and connection resets in two namespaces on one switch, with plain UDP
 * sockets standing in for WireGuard (alice) and the remote candidate (bob): what the first
 * packet of a connection does, what a pair and a listen-port change do to connections tracked
 * before, and what a crashed run's chains become at open.
 */
@RequiresRoot
@RequiresTools({"ip", "iptables-save", "iptables-restore", "ip6tables-save", "ip6tables-restore"})
class IptablesProxyTest {
    /** The crashed run's ICE port 4000 in a rule (not 40001 or 14000, which an ephemeral port may be). */
    private static final java.util.regex.Pattern OLD_ICE_PORT = java.util.regex.Pattern.compile("--dport 4000 |:4000\\b");
    private static final byte[] STUN = {0, 1, 0, 0, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    @Test
    void wireGuardsTrafficFollowsThePairAndTheListenPortIncludingConnectionsTrackedBefore() throws Exception {
        followsPairAndPort(IptablesTools.defaultSearchPath(), "iptables-save", "nf_tables backend", "a");
    }

    @Test
    @RequiresTools({"iptables-legacy-save", "iptables-legacy-restore"})
    void theLegacyBackendDoesTheSame(@TempDir Path tools) throws Exception {
        for (String name : List.of("iptables-legacy-save", "iptables-legacy-restore")) {
            Path wrapper = tools.resolve(name); // only the legacy tools are found there
            Files.writeString(wrapper, "#!/bin/sh\nexec " + name + " \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        followsPairAndPort(List.of(tools), "iptables-legacy-save", "legacy backend", "l");
    }

    private static void followsPairAndPort(List<Path> toolDirs, String saveTool, String backend, String suffix) throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host alice = lan.alice();
            Host bob = lan.bob();
            String iface = "ipt" + ProcessHandle.current().pid() + suffix;
            DatagramSocket wg = NetNs.call(alice.netns(), IptablesProxyTest::socket);
            DatagramSocket remote = NetNs.call(bob.netns(), IptablesProxyTest::socket);
            InetSocketAddress bobAt = new InetSocketAddress(InetAddress.getByName(PeerTopologies.LAN_BOB_IP), remote.getLocalPort());
            StubControl control = new StubControl(iface, wg.getLocalPort());
            IptablesProxy proxy = NetNs.call(alice.netns(), () -> IptablesProxy.open(control, wg.getLocalPort(), toolDirs));
            DatagramSocket wg2 = null;
            try {
                int ice = proxy.iceAddresses().getFirst().getPort();
                assertThat(proxy.mode()).isEqualTo(ProxyMode.IPTABLES);
                assertThat(proxy.reason()).contains(backend).contains("c4j-" + iface + "-*");

                // WireGuard talks to the remote before any pair: tracked untranslated
                send(wg, "early", bobAt);
                assertThat(receive(remote).getPort()).as("before the pair, from WireGuard's port").isEqualTo(wg.getLocalPort());

                IceAgent agent = NetNs.call(alice.netns(), () -> IceAgent.create(IceConfig.defaults(), IceRole.CONTROLLING, List.of()));
                Key peer = Key.generatePrivate().publicKey();
                PeerProxy p = NetNs.call(alice.netns(), () -> proxy.attach(peer, agent));
                // from this (the test's) thread: the worker applies the rules in alice's namespace
                p.selectedPairChanged(pair(new InetSocketAddress(InetAddress.getByName(PeerTopologies.LAN_ALICE_IP), ice), bobAt));
                assertThat(control.endpoints).containsExactly(bobAt);
                assertThat(p.mode()).isEqualTo(ProxyMode.IPTABLES);
                assertThat(IptablesRules.rules(alice.run(saveTool).stdout(), "nat", IptablesRules.natPost(iface)))
                        .singleElement().asString()
                        .contains("-d 10.0.0.3/32 -p udp -m udp --sport " + wg.getLocalPort() + " --dport " + remote.getLocalPort())
                        .contains("--comment \"cunicu4j " + iface + " peer " + peer.toBase64().substring(0, 8) + "\"")
                        .endsWith("-j SNAT --to-source :" + ice);

                send(wg, "after", bobAt);
                DatagramPacket got = receiveFull(remote);
                assertThat(text(got)).isEqualTo("after");
                assertThat(got.getPort()).as("the connection tracked before the pair was reset: from the ICE port").isEqualTo(ice);

                InetSocketAddress aliceIce = new InetSocketAddress(InetAddress.getByName(PeerTopologies.LAN_ALICE_IP), ice);
                remote.send(new DatagramPacket(STUN, STUN.length, aliceIce));
                send(remote, "data", aliceIce);
                got = receiveFull(wg);
                assertThat(text(got)).as("STUN went to ICE, the next (non-STUN) datagram to WireGuard").isEqualTo("data");
                assertThat(got.getSocketAddress()).isEqualTo(bobAt);

                // WireGuard moves: the redirect and the pair's rule follow, the connection redirected to the old port is reset
                wg2 = NetNs.call(alice.netns(), IptablesProxyTest::socket);
                control.listenPort = wg2.getLocalPort();
                proxy.listenPortChanged(wg2.getLocalPort());
                assertThat(proxy.listenPort()).isEqualTo(wg2.getLocalPort());
                send(remote, "moved", aliceIce);
                got = receiveFull(wg2);
                assertThat(text(got)).as("after the port change, at the new port").isEqualTo("moved");
                send(wg2, "from new", bobAt);
                assertThat(receive(remote).getPort()).isEqualTo(ice);

                p.selectedPairChanged(null);
                assertThat(IptablesRules.rules(alice.run(saveTool).stdout(), "nat", IptablesRules.natPost(iface))).as("no pair, no rule").isEmpty();
                assertThat(IptablesRules.rules(alice.run(saveTool).stdout(), "nat", IptablesRules.natPre(iface))).singleElement().asString()
                        .contains("--to-ports " + wg2.getLocalPort());
                p.close();
                agent.close();
            } finally {
                proxy.close();
                proxy.close();
                wg.close();
                remote.close();
                if (wg2 != null) {
                    wg2.close();
                }
            }
            assertThat(IptablesRules.linesOf(alice.run(saveTool).stdout(), iface)).as("nothing left after close").isEmpty();
            int ice = proxy.iceAddresses().getFirst().getPort();
            List<Conntrack.Flow> left = NetNs.call(alice.netns(), () -> Conntrack.list(SocketConstants.AF_INET));
            assertThat(left).as("no connection translated through the ICE port is left")
                    .noneMatch(c -> c.origDst().getPort() == ice || c.replyDst().getPort() == ice);
        }
    }

    @Test
    void aRouterLeavesForwardedTrafficToItsIcePortAlone() throws Exception {
        try (Lab lab = Lab.open()) {
            Host server = lab.publicHost("server", Topology.SERVER_IP + "/15");
            NatRouter nat = lab.natRouter("nata", NatType.ENDPOINT_INDEPENDENT, "10.1.0.1/24", Topology.NAT_A_OUTSIDE_IP + "/15",
                    lab.internet());
            Host alice = nat.privateHost("alice", Topology.ALICE_IP + "/24");
            Host router = nat.host();
            String iface = "ipt" + ProcessHandle.current().pid() + "g";
            int wgPort = 51820;
            IptablesProxy proxy = NetNs.call(router.netns(), () -> IptablesProxy.open(new StubControl(iface, wgPort), wgPort));
            IceAgent agent = NetNs.call(router.netns(), () -> IceAgent.create(IceConfig.defaults(), IceRole.CONTROLLING, List.of()));
            DatagramSocket onServer = null;
            DatagramSocket aliceWg = null;
            DatagramSocket aliceIce = null;
            try {
                int ice = proxy.icePort(InetAddress.getByName(Topology.SERVER_IP));
                DatagramSocket srv = NetNs.call(server.netns(), () -> socket(ice));
                onServer = srv;
                InetSocketAddress serverAt = new InetSocketAddress(InetAddress.getByName(Topology.SERVER_IP), ice);
                // the router's own WireGuard (port 51820) has a pair towards the server's socket
                PeerProxy p = NetNs.call(router.netns(), () -> proxy.attach(Key.generatePrivate().publicKey(), agent));
                p.selectedPairChanged(pair(new InetSocketAddress(InetAddress.getByName(Topology.NAT_A_OUTSIDE_IP), ice), serverAt));

                // alice, behind the router, sends from the same port numbers to the server
                aliceWg = NetNs.call(alice.netns(), () -> socket(wgPort));
                send(aliceWg, "forwarded", serverAt);
                DatagramPacket got = receiveFull(srv);
                assertThat(text(got)).as("not redirected to the router's WireGuard port").isEqualTo("forwarded");
                assertThat(got.getSocketAddress()).as("masqueraded only (port kept), not translated to the router's ICE port")
                        .isEqualTo(new InetSocketAddress(InetAddress.getByName(Topology.NAT_A_OUTSIDE_IP), wgPort));
                aliceIce = NetNs.call(alice.netns(), () -> socket(0));
                aliceIce.send(new DatagramPacket(STUN, STUN.length, serverAt));
                got = receiveFull(srv);
                assertThat(got.getLength()).isEqualTo(STUN.length);
                assertThat(got.getAddress().getHostAddress()).as("alice's STUN is tracked, so masqueraded")
                        .isEqualTo(Topology.NAT_A_OUTSIDE_IP);
                String rules = router.run("iptables-save").stdout();
                assertThat(IptablesRules.rules(rules, "nat", IptablesRules.natPre(iface))).singleElement().asString()
                        .contains("-m addrtype --dst-type LOCAL");
                assertThat(IptablesRules.rules(rules, "raw", IptablesRules.rawPre(iface))).singleElement().asString()
                        .contains("-m addrtype --dst-type LOCAL");
                assertThat(IptablesRules.rules(rules, "nat", IptablesRules.natPost(iface))).singleElement().asString()
                        .contains("-m addrtype --src-type LOCAL");
            } finally {
                proxy.close();
                agent.close();
                for (DatagramSocket s : new DatagramSocket[] {onServer, aliceWg, aliceIce}) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
            assertThat(IptablesRules.linesOf(router.run("iptables-save").stdout(), iface)).isEmpty();
        }
    }

    @Test
    void aListenPortChangeIsCommittedOnlyOnceEveryFamilyHasItAndAPairChangeRetriesIt(@TempDir Path tools) throws Exception {
        Path refuse = tools.resolve("refuse6");
        for (String name : List.of("iptables-save", "iptables-restore", "ip6tables-save")) {
            script(tools, name, "exec " + name + " \"$@\"");
        }
        script(tools, "ip6tables-restore", "if [ -e " + refuse + " ]; then cat >/dev/null; echo 'ip6tables-restore: refused by the test' >&2; exit 1; fi;"
                + " exec ip6tables-restore \"$@\"");
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            String iface = "ipt" + ProcessHandle.current().pid() + "p";
            StubControl control = new StubControl(iface, 51820);
            IptablesProxy proxy = NetNs.call(h.netns(), () -> IptablesProxy.open(control, 51820, List.of(tools)));
            IceAgent agent = NetNs.call(h.netns(), () -> IceAgent.create(IceConfig.defaults(), IceRole.CONTROLLING, List.of()));
            try {
                assertThat(proxy.iceAddresses()).as("an IPv4 and an IPv6 ICE socket").hasSize(2);
                Files.createFile(refuse);
                assertThatThrownBy(() -> proxy.listenPortChanged(51821)).isInstanceOf(UncheckedIOException.class)
                        .hasMessageContaining("rules for listen port 51821 not set").hasMessageContaining("refused by the test");
                assertThat(proxy.listenPort()).as("not committed: IPv6 still redirects to the old port").isEqualTo(51820);
                assertThat(IptablesRules.rules(save6(h), "nat", IptablesRules.natPre(iface))).singleElement().asString()
                        .endsWith("--to-ports 51820");

                // the device is on 51821: a pair change retries, and fails as an IOException (nothing set)
                control.listenPort = 51821;
                PeerProxy p = NetNs.call(h.netns(), () -> proxy.attach(Key.generatePrivate().publicKey(), agent));
                InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("198.18.2.1"), 3333);
                IceCandidatePair pair = pair(new InetSocketAddress(InetAddress.getByName("198.18.1.1"), 1), remote);
                assertThatThrownBy(() -> p.selectedPairChanged(pair)).isExactlyInstanceOf(java.io.IOException.class)
                        .hasMessageContaining("refused by the test");
                assertThat(control.endpoints).isEmpty();
                assertThat(IptablesRules.rules(save(h), "nat", IptablesRules.natPost(iface))).isEmpty();

                Files.delete(refuse);
                p.selectedPairChanged(pair);
                assertThat(proxy.listenPort()).isEqualTo(51821);
                assertThat(control.endpoints).containsExactly(remote);
                assertThat(IptablesRules.rules(save6(h), "nat", IptablesRules.natPre(iface))).singleElement().asString()
                        .endsWith("--to-ports 51821");
                assertThat(IptablesRules.rules(save(h), "nat", IptablesRules.natPre(iface))).singleElement().asString()
                        .endsWith("--to-ports 51821");
                assertThat(IptablesRules.rules(save(h), "nat", IptablesRules.natPost(iface))).singleElement().asString()
                        .contains("--sport 51821 --dport 3333");

                // a pair selected once close has begun changes nothing and sets no endpoint
                proxy.close();
                assertThat(proxy.setPair((IptablesPeerProxy) p, new InetSocketAddress(InetAddress.getByName("198.18.2.1"), 4444))).isFalse();
                p.selectedPairChanged(pair(new InetSocketAddress(InetAddress.getByName("198.18.1.1"), 1),
                        new InetSocketAddress(InetAddress.getByName("198.18.2.1"), 4444)));
                assertThat(control.endpoints).containsExactly(remote);
            } finally {
                proxy.close();
                agent.close();
            }
            assertThat(IptablesRules.linesOf(save(h), iface)).isEmpty();
            assertThat(IptablesRules.linesOf(save6(h), iface)).isEmpty();
        }
    }

    @Test
    void anOpenInterruptedWhileTheRulesGoInLeavesNothingInstalled(@TempDir Path tools) throws Exception {
        Path installed = tools.resolve("installed");
        for (String name : List.of("iptables-save", "ip6tables-save", "ip6tables-restore")) {
            script(tools, name, "exec " + name + " \"$@\"");
        }
        // the IPv4 install goes in, then the tool lingers: the opener is interrupted meanwhile
        script(tools, "iptables-restore", "in=$(cat); printf '%s\\n' \"$in\" | iptables-restore \"$@\" || exit $?;"
                + " case \"$in\" in *'-I PREROUTING'*) touch " + installed + "; sleep 2;; esac");
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            String iface = "ipt" + ProcessHandle.current().pid() + "i";
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            Thread opener = Thread.ofPlatform().name("opener").start(() -> {
                try {
                    NetNs.enter(h.netns());
                    outcome.set(IptablesProxy.open(new StubControl(iface, 51820), 51820, List.of(tools)));
                } catch (Throwable t) {
                    outcome.set(t);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            Waiter.until("the IPv4 rules are installed", Duration.ofSeconds(20), () -> Files.exists(installed));
            opener.interrupt();
            opener.join(Duration.ofSeconds(60));
            if (outcome.get() instanceof IptablesProxy leaked) {
                leaked.close();
            }
            assertThat(opener.isAlive()).isFalse();
            assertThat(IptablesRules.linesOf(save(h), iface)).as("nothing left installed").isEmpty();
            assertThat(IptablesRules.linesOf(save6(h), iface)).isEmpty();
            assertThat(outcome.get()).isInstanceOf(InterruptedIOException.class);
            assertThat(interruptedAfter).as("the interrupt stands").isTrue();
            Waiter.until("the worker ends", Duration.ofSeconds(20),
                    () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("iptables " + iface) && t.isAlive()));
        }
    }

    @Test
    void aRunStartedAfterACrashTranslatesToItsOwnIcePort() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Host alice = lan.alice();
            String iface = "ipt" + ProcessHandle.current().pid() + "r";
            DatagramSocket wg = NetNs.call(alice.netns(), IptablesProxyTest::socket);
            DatagramSocket remote = NetNs.call(lan.bob().netns(), IptablesProxyTest::socket);
            InetSocketAddress bobAt = new InetSocketAddress(InetAddress.getByName(PeerTopologies.LAN_BOB_IP), remote.getLocalPort());
            InetAddress aliceIp = InetAddress.getByName(PeerTopologies.LAN_ALICE_IP);
            StubControl control = new StubControl(iface, wg.getLocalPort());
            Key peer = Key.generatePrivate().publicKey();
            IptablesProxy crashed = NetNs.call(alice.netns(), () -> IptablesProxy.open(control, wg.getLocalPort()));
            IceAgent agent1 = NetNs.call(alice.netns(), () -> IceAgent.create(IceConfig.defaults(), IceRole.CONTROLLING, List.of()));
            IptablesProxy restarted = null;
            IceAgent agent2 = null;
            try {
                int ice1 = crashed.iceAddresses().getFirst().getPort();
                PeerProxy p1 = NetNs.call(alice.netns(), () -> crashed.attach(peer, agent1));
                p1.selectedPairChanged(pair(new InetSocketAddress(aliceIp, ice1), bobAt));
                send(remote, "in", new InetSocketAddress(aliceIp, ice1));
                assertThat(receive(wg)).isEqualTo(bobAt);
                send(wg, "out", bobAt);
                assertThat(receive(remote).getPort()).isEqualTo(ice1);

                // the daemon died (nothing closed) and starts again: new ICE port, same WireGuard and remote
                restarted = NetNs.call(alice.netns(), () -> IptablesProxy.open(control, wg.getLocalPort()));
                IptablesProxy r = restarted;
                int ice2 = r.iceAddresses().getFirst().getPort();
                assertThat(ice2).isNotEqualTo(ice1);
                assertThat(IptablesRules.linesOf(save(alice), iface)).as("one set of chains, the new run's")
                        .hasSize(4 + 4 + 3).noneMatch(l -> l.contains(":" + ice1) || l.contains(" " + ice1 + " "));
                agent2 = NetNs.call(alice.netns(), () -> IceAgent.create(IceConfig.defaults(), IceRole.CONTROLLING, List.of()));
                IceAgent a2 = agent2;
                PeerProxy p2 = NetNs.call(alice.netns(), () -> r.attach(peer, a2));
                p2.selectedPairChanged(pair(new InetSocketAddress(aliceIp, ice2), bobAt));
                send(wg, "out again", bobAt);
                DatagramPacket got = receiveFull(remote);
                assertThat(text(got)).isEqualTo("out again");
                assertThat(got.getPort()).as("from the new ICE port, not the crashed run's").isEqualTo(ice2);
                send(remote, "in again", new InetSocketAddress(aliceIp, ice2));
                assertThat(text(receiveFull(wg))).isEqualTo("in again");
            } finally {
                if (restarted != null) {
                    restarted.close();
                }
                crashed.close();
                agent1.close();
                if (agent2 != null) {
                    agent2.close();
                }
                wg.close();
                remote.close();
            }
            assertThat(IptablesRules.linesOf(save(alice), iface)).isEmpty();
        }
    }

    @Test
    void aRuleTheToolRefusesMakesTheModeUnavailableQuotingTheLine(@TempDir Path tools) throws Exception {
        // iptables-save shows nothing; iptables-restore refuses the fourth line (the first rule), as it does for a missing match
        script(tools, "iptables-save", "[ \"$1\" = --version ] && echo 'iptables-save v1.8.9 (nf_tables)'; exit 0");
        script(tools, "iptables-restore", "cat >/dev/null; echo 'iptables-restore v1.8.9 (nf_tables): Couldn'\\''t load match `u32'\\'':No such file or directory' >&2;"
                + " echo 'Error occurred at line: 4' >&2; echo 'iptables-restore: line 4 failed' >&2; exit 2");
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            String iface = "ipt" + ProcessHandle.current().pid() + "f";
            assertThatThrownBy(() -> NetNs.call(h.netns(), () -> IptablesProxy.open(new StubControl(iface, 51820), 51820, List.of(tools))))
                    .isInstanceOfSatisfying(ProxyUnavailableException.class, e -> assertThat(e.mode()).isEqualTo(ProxyMode.IPTABLES))
                    .hasMessageContaining("the rules could not be installed")
                    .hasMessageContaining("Couldn't load match `u32'")
                    .hasMessageContaining("(line 4: -A c4j-" + iface + "-pre -p udp -m udp --dport ");
        }
    }

    private static void script(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aCrashedRunsChainsAreRemovedAtOpenAndNoDuplicatesRemain() throws Exception {
        try (Lab lab = Lab.open()) {
            Host h = lab.host("h");
            String iface = "ipt" + ProcessHandle.current().pid() + "s";
            String other = "ipt" + ProcessHandle.current().pid() + "o";
            // a crashed run, started twice: its chains with an old ICE port, every jump twice
            String stale = """
                    *raw
                    :c4j-IF-pre - [0:0]
                    :c4j-IF-out - [0:0]
                    -A c4j-IF-pre -p udp -m udp --dport 4000 -m comment --comment "cunicu4j IF" -j CT --notrack
                    -A PREROUTING -m comment --comment "cunicu4j IF" -j c4j-IF-pre
                    -A PREROUTING -m comment --comment "cunicu4j IF" -j c4j-IF-pre
                    -A OUTPUT -m comment --comment "cunicu4j IF" -j c4j-IF-out
                    COMMIT
                    *nat
                    :c4j-IF-pre - [0:0]
                    :c4j-IF-post - [0:0]
                    -A c4j-IF-pre -p udp -m udp --dport 4000 -j REDIRECT --to-ports 51820
                    -A c4j-IF-post -d 198.18.2.1/32 -p udp -m udp --sport 51820 -j SNAT --to-source :4000
                    -A PREROUTING -m comment --comment "cunicu4j IF" -j c4j-IF-pre
                    -A POSTROUTING -m comment --comment "cunicu4j IF" -j c4j-IF-post
                    -A POSTROUTING -m comment --comment "cunicu4j IF" -j c4j-IF-post
                    COMMIT
                    """;
            restore(h, "iptables-restore", stale.replace("IF", iface));
            restore(h, "iptables-restore", stale.replace("IF", other));
            restore(h, "ip6tables-restore", stale.replace("IF", iface).replace("198.18.2.1/32", "fd00::3/128"));
            assertThat(IptablesRules.linesOf(save(h), iface)).hasSize(13);

            IptablesProxy proxy = NetNs.call(h.netns(), () -> IptablesProxy.open(new StubControl(iface, 51820), 51820));
            List<String> ours;
            try {
                ours = IptablesRules.linesOf(save(h), iface);
                int ice = proxy.iceAddresses().getFirst().getPort();
                for (String jump : List.of("raw -A PREROUTING ", "raw -A OUTPUT ", "nat -A PREROUTING ", "nat -A POSTROUTING ")) {
                    assertThat(ours.stream().filter(l -> l.startsWith(jump))).as(jump + "jumps once").hasSize(1);
                }
                assertThat(ours).noneMatch(l -> OLD_ICE_PORT.matcher(l).find()).anyMatch(l -> l.contains("--dport " + ice + " "));
                assertThat(ours.stream().filter(l -> l.contains(" -A c4j-"))).as("the rules of this run only")
                        .hasSize(3);
                List<String> ours6 = IptablesRules.linesOf(save6(h), iface);
                assertThat(ours6).as("IPv6 too").noneMatch(l -> OLD_ICE_PORT.matcher(l).find());
                assertThat(ours6.stream().filter(l -> l.startsWith("nat -A POSTROUTING ")))
                        .as("one IPv6 jump when there is an IPv6 ICE socket, else none").hasSize(proxy.iceAddresses().size() - 1);
                assertThat(IptablesRules.linesOf(save(h), other)).as("another interface's chains stay").hasSize(13);
            } finally {
                proxy.close();
            }
            assertThat(IptablesRules.linesOf(save(h), iface)).isEmpty();
            assertThat(IptablesRules.linesOf(save6(h), iface)).isEmpty();
            assertThat(IptablesRules.linesOf(save(h), other)).hasSize(13);

            // a restart after close leaves one set again
            IptablesProxy again = NetNs.call(h.netns(), () -> IptablesProxy.open(new StubControl(iface, 51820), 51820));
            try {
                assertThat(IptablesRules.linesOf(save(h), iface)).hasSize(4 + 4 + 3);
            } finally {
                again.close();
            }
        }
    }

    private static void restore(Host h, String tool, String text) {
        Exec.run(Duration.ofSeconds(10), List.of("ip", "netns", "exec", h.netns(), tool, "--noflush"), Map.of(), text).orThrow();
    }

    private static String save(Host h) {
        return h.run("iptables-save").stdout();
    }

    private static String save6(Host h) {
        return h.run("ip6tables-save").stdout();
    }

    private static DatagramSocket socket() throws Exception {
        return socket(0);
    }

    private static DatagramSocket socket(int port) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(DatagramSocket s, String text, InetSocketAddress to) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, to));
    }

    private static InetSocketAddress receive(DatagramSocket s) throws Exception {
        return (InetSocketAddress) receiveFull(s).getSocketAddress();
    }

    private static DatagramPacket receiveFull(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
        s.receive(p);
        return p;
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
    }

    private static IceCandidatePair pair(InetSocketAddress local, InetSocketAddress remote) {
        return new IceCandidatePair(
                new Candidate("1", 1, Candidate.priorityOf(CandidateType.HOST, 65535, 1), local, CandidateType.HOST, null, null),
                new Candidate("2", 1, Candidate.priorityOf(CandidateType.HOST, 65535, 1), remote, CandidateType.HOST, null, null));
    }

    /** A control that records endpoints and reports a listen port. */
    static final class StubControl implements WireGuardControl {
        final List<InetSocketAddress> endpoints = new CopyOnWriteArrayList<>();
        final String name;
        volatile int listenPort;

        StubControl(String name, int listenPort) {
            this.name = name;
            this.listenPort = listenPort;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DeviceStatus status() {
            return new DeviceStatus(null, listenPort, 0, List.of());
        }

        @Override
        public void apply(DeviceUpdate update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setEndpoint(Key peer, InetSocketAddress endpoint) {
            endpoints.add(endpoint);
        }
    }
}
