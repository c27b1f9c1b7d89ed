package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCounters;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.ice.mux.UdpMux;
import org.cunicu4j.ice.mux.UdpMuxStats;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/**
 * Hostile datagrams from a third socket (on bob's host) at an agent's own port and at a
 * UdpMux's shared port: random bytes, truncated STUN, a username fragment nobody has, bad
 * MESSAGE-INTEGRITY. Each kind is dropped and counted where it belongs, and afterwards a
 * connection still forms and carries data: nothing stopped a loop.
 */
@RequiresRoot
@RequiresTools({"ip", "ping"})
class IceBadInputLabTest {
    private static final long SEED = 0x1CE_BAD_1L;
    private static final int N = 20;
    private static final Duration COUNTED = Duration.ofSeconds(5);

    @Test
    void agentDropsAndCountsBadInputThenConnects() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            try (LabAgent a = LabAgent.create("a", lan.alice(), LabAgent.fastConfig().build(), IceRole.CONTROLLED,
                            LabGatherers.staticHost(PeerTopologies.LAN_ALICE_IP));
                    LabAgent b = LabAgent.create("b", lan.bob(), LabAgent.fastConfig().build(), IceRole.CONTROLLING,
                            LabGatherers.host());
                    PacketConn attacker = openIn(lan.bob(), PeerTopologies.LAN_BOB_IP)) {
                LabAgent.pair(a, b);
                a.gatherAndStart(); // a listens; b not yet started
                Waiter.until("a gathered", COUNTED, a::gatheringDone);
                InetSocketAddress target = a.gathered.getFirst().address();
                String aUfrag = a.agent.localCredentials().ufrag();
                String bUfrag = b.agent.localCredentials().ufrag();
                BadInput bad = new BadInput(SEED, attacker);

                bad.random(target, 5 * N);
                bad.truncatedStun(target, aUfrag + ":" + bUfrag, N);
                bad.bindingRequests(target, "nobodyhasthis:" + bUfrag, a.agent.localCredentials().password(), N);
                bad.bindingRequests(target, aUfrag + ":" + bUfrag, BadInput.wrongPassword(), N);

                Waiter.until("a counted every bad datagram (" + bad + "): " + a.agent.counters(), COUNTED,
                        () -> a.agent.counters().droppedInput() >= 8 * N);
                IceCounters c = a.agent.counters();
                assertThat(c.malformed()).as("truncated STUN, %s: %s", bad, c).isGreaterThanOrEqualTo(N);
                assertThat(c.wrongUfrag()).as("wrong ufrag, %s: %s", bad, c).isGreaterThanOrEqualTo(N);
                assertThat(c.badIntegrity()).as("bad integrity, %s: %s", bad, c).isGreaterThanOrEqualTo(N);
                assertThat(c.unexpectedData() + c.malformed()).as("random bytes, %s: %s", bad, c)
                        .isGreaterThanOrEqualTo(6L * N);

                b.gatherAndStart();
                IcePairs.awaitConnected(a, b);
                IcePairs.assertSelected(a, CandidateType.HOST, CandidateType.HOST);
                IcePairs.assertDataBothWays(a, b);
            }
        }
    }

    @Test
    void muxDropsAndCountsBadInputThenItsAgentConnects() throws Exception {
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            UdpMux mux = NetNs.call(lan.alice().netns(), () -> UdpMux.builder(
                    new InetSocketAddress(PeerTopologies.LAN_ALICE_IP, 0)).start());
            try (mux;
                    LabAgent a = LabAgent.create("a", lan.alice(), LabAgent.fastConfig().build(), IceRole.CONTROLLING,
                            owned -> List.of(new MuxHostGatherer(mux)));
                    LabAgent b = LabAgent.create("b", lan.bob(), LabAgent.fastConfig().build(), IceRole.CONTROLLED,
                            LabGatherers.host());
                    PacketConn attacker = openIn(lan.bob(), PeerTopologies.LAN_BOB_IP)) {
                LabAgent.pair(a, b);
                a.gatherAndStart();
                Waiter.until("a gathered", COUNTED, a::gatheringDone);
                InetSocketAddress target = mux.localAddress();
                String aUfrag = a.agent.localCredentials().ufrag();
                String bUfrag = b.agent.localCredentials().ufrag();
                BadInput bad = new BadInput(SEED + 1, attacker);

                bad.random(target, 5 * N);
                bad.truncatedStun(target, aUfrag + ":" + bUfrag, N);
                bad.bindingRequests(target, "nobodyhasthis:" + bUfrag, BadInput.wrongPassword(), N);
                Waiter.until("the mux counted every bad datagram (" + bad + "): " + mux.stats(), COUNTED,
                        () -> mux.stats().unroutable() >= 5 * N && mux.stats().malformedStun() >= N
                                && mux.stats().unknownUfrag() >= N);
                UdpMuxStats s = mux.stats();
                assertThat(s.routed()).as("nothing bad reached an agent yet: %s", s).isZero();

                // the right fragment with the wrong key passes the mux (it does not check integrity): the agent drops it
                bad.bindingRequests(target, aUfrag + ":" + bUfrag, BadInput.wrongPassword(), N);
                Waiter.until("a counted bad integrity: " + a.agent.counters(), COUNTED,
                        () -> a.agent.counters().badIntegrity() >= N);

                b.gatherAndStart();
                IcePairs.awaitConnected(a, b);
                IcePairs.assertSelected(a, CandidateType.HOST, CandidateType.HOST);
                assertThat(a.selected().local().address()).isEqualTo(mux.localAddress());
                IcePairs.assertDataBothWays(a, b);
                assertThat(mux.failure()).as("the mux's reader is alive").isEmpty();
            }
        }
    }

    private static PacketConn openIn(Host host, String ip) throws Exception {
        return NetNs.call(host.netns(), () -> UdpPacketConn.open(new InetSocketAddress(ip, 0)));
    }
}
