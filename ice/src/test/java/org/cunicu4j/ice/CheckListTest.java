package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.junit.jupiter.api.Test;

class CheckListTest {

    private static final InetSocketAddress STUN = CandidateTest.addr("198.51.100.1", 3478);

    @Test
    void pairPriorityFollowsTheFormulaForBothRoles() {
        long g = 2130706431L;
        long d = 1694498815L;
        assertThat(CheckPair.pairPriority(g, d)).isEqualTo((1L << 32) * d + 2 * g + 1);
        assertThat(CheckPair.pairPriority(d, g)).isEqualTo((1L << 32) * d + 2 * g);
        assertThat(CheckPair.pairPriority(g, g)).isEqualTo((1L << 32) * g + 2 * g);

        LocalEntry local = local("10.0.0.1", CandidateType.HOST, 65535, null);
        RemoteEntry remote = remote("10.0.0.2", CandidateType.SERVER_REFLEXIVE, 65535);
        CheckPair p = new CheckPair(local, remote);
        p.recomputePriority(IceRole.CONTROLLING);
        long asControlling = p.priority;
        assertThat(asControlling).isEqualTo(CheckPair.pairPriority(local.candidate.priority(), remote.candidate.priority()));
        p.recomputePriority(IceRole.CONTROLLED);
        assertThat(p.priority).isEqualTo(CheckPair.pairPriority(remote.candidate.priority(), local.candidate.priority()))
                .isEqualTo(asControlling - 1); // the same pair, seen from the other side: only the G>D bit differs
    }

    @Test
    void pairsOnlySameFamilyAndComponent() {
        CheckList list = new CheckList(IceRole.CONTROLLING, 100);
        LocalEntry v4 = local("10.0.0.1", CandidateType.HOST, 65535, null);
        LocalEntry v6 = local("2001:db8::1", CandidateType.HOST, 65534, null);
        List<LocalEntry> locals = List.of(v4, v6);
        assertThat(list.add(v4, remote("10.0.0.2", CandidateType.HOST, 65535), locals)).isNotNull();
        assertThat(list.add(v6, remote("10.0.0.3", CandidateType.HOST, 65535), locals)).isNull();
        assertThat(list.add(v4, remote("2001:db8::2", CandidateType.HOST, 65535), locals)).isNull();
        assertThat(list.add(v6, remote("2001:db8::2", CandidateType.HOST, 65535), locals)).isNotNull();
        Candidate c2 = new Candidate("x", 2, 1000, CandidateTest.addr("10.0.0.9", 1), CandidateType.HOST, null, null);
        assertThat(list.add(v4, new RemoteEntry(c2), locals)).isNull();
        assertThat(list.pairs()).hasSize(2);
    }

    @Test
    void prunesServerReflexiveToItsBaseAndDropsRedundantPairs() {
        MemoryPacketConn base = MemoryPacketConn.pair(CandidateTest.addr("10.0.0.1", 5000), CandidateTest.addr("10.0.0.2", 5000))[0];
        LocalEntry host = new LocalEntry(cand("10.0.0.1", 5000, CandidateType.HOST, 65535, null), base);
        LocalEntry srflx = new LocalEntry(cand("203.0.113.1", 6000, CandidateType.SERVER_REFLEXIVE, 65535,
                CandidateTest.addr("10.0.0.1", 5000)), base);
        List<LocalEntry> locals = List.of(host, srflx);
        CheckList list = new CheckList(IceRole.CONTROLLING, 100);
        RemoteEntry r = remote("10.9.9.9", CandidateType.HOST, 65535);
        CheckPair first = list.add(host, r, locals);
        assertThat(first).isNotNull();
        // srflx is replaced by its base (the host candidate): the pair is the same one, redundant
        assertThat(list.add(srflx, r, locals)).isNull();
        assertThat(list.pairs()).hasSize(1);
        assertThat(list.pairs().getFirst().local).isSameAs(host);

        // srflx first: it is still checked from its base
        CheckList list2 = new CheckList(IceRole.CONTROLLING, 100);
        CheckPair p = list2.add(srflx, r, locals);
        assertThat(p.local).isSameAs(host);
        assertThat(list2.add(host, r, locals)).isNull();
    }

    @Test
    void foundationsUnfreezeOnePairEachAtStartAndTheRestOnSuccess() {
        CheckList list = new CheckList(IceRole.CONTROLLING, 100);
        // two locals of one foundation (same type and base IP, different ports), one remote: one foundation pair
        LocalEntry l1 = new LocalEntry(cand("10.0.0.1", 1000, CandidateType.HOST, 65535, null), conn("10.0.0.1", 1000));
        LocalEntry l2 = new LocalEntry(cand("10.0.0.1", 2000, CandidateType.HOST, 65000, null), conn("10.0.0.1", 2000));
        LocalEntry l3 = new LocalEntry(cand("10.0.0.7", 3000, CandidateType.HOST, 60000, null), conn("10.0.0.7", 3000));
        List<LocalEntry> locals = List.of(l1, l2, l3);
        RemoteEntry r = remote("10.9.9.9", CandidateType.HOST, 65535);
        CheckPair p1 = list.add(l1, r, locals);
        CheckPair p2 = list.add(l2, r, locals);
        CheckPair p3 = list.add(l3, r, locals);
        assertThat(p1.foundation()).isEqualTo(p2.foundation()).isNotEqualTo(p3.foundation());
        assertThat(List.of(p1.state, p2.state, p3.state)).containsOnly(CandidatePairState.FROZEN);
        list.start();
        assertThat(p1.state).isEqualTo(CandidatePairState.WAITING);
        assertThat(p2.state).isEqualTo(CandidatePairState.FROZEN);
        assertThat(p3.state).isEqualTo(CandidatePairState.WAITING);
        assertThat(list.pairs()).containsExactly(p1, p2, p3); // by priority
        assertThat(list.nextOrdinary()).isSameAs(p1);
        p1.state = CandidatePairState.SUCCEEDED;
        list.unfreeze(p1.foundation());
        assertThat(p2.state).isEqualTo(CandidatePairState.WAITING);
        assertThat(list.nextOrdinary()).isSameAs(p2);
    }

    @Test
    void frozenPairIsCheckedWhenNothingOfItsFoundationIsActive() {
        CheckList list = new CheckList(IceRole.CONTROLLED, 100);
        LocalEntry l1 = new LocalEntry(cand("10.0.0.1", 1000, CandidateType.HOST, 65535, null), conn("10.0.0.1", 1000));
        LocalEntry l2 = new LocalEntry(cand("10.0.0.1", 2000, CandidateType.HOST, 65000, null), conn("10.0.0.1", 2000));
        RemoteEntry r = remote("10.9.9.9", CandidateType.HOST, 65535);
        CheckPair p1 = list.add(l1, r, List.of(l1, l2));
        CheckPair p2 = list.add(l2, r, List.of(l1, l2));
        list.start();
        p1.state = CandidatePairState.FAILED; // failure does not unfreeze, but nothing else of the foundation runs
        assertThat(list.nextOrdinary()).isSameAs(p2);
        assertThat(p2.state).isEqualTo(CandidatePairState.WAITING);
    }

    @Test
    void trickledPairsAfterStartWaitUnlessTheirFoundationIsActive() {
        CheckList list = new CheckList(IceRole.CONTROLLING, 100);
        LocalEntry l1 = new LocalEntry(cand("10.0.0.1", 1000, CandidateType.HOST, 65535, null), conn("10.0.0.1", 1000));
        LocalEntry l2 = new LocalEntry(cand("10.0.0.1", 2000, CandidateType.HOST, 65000, null), conn("10.0.0.1", 2000));
        list.start();
        RemoteEntry r = remote("10.9.9.9", CandidateType.HOST, 65535);
        CheckPair p1 = list.add(l1, r, List.of(l1, l2));
        assertThat(p1.state).isEqualTo(CandidatePairState.WAITING);
        CheckPair p2 = list.add(l2, r, List.of(l1, l2));
        assertThat(p2.state).isEqualTo(CandidatePairState.FROZEN);
    }

    @Test
    void checkListIsCappedDroppingTheLowestPriority() {
        CheckList list = new CheckList(IceRole.CONTROLLING, 3);
        LocalEntry l = local("10.0.0.1", CandidateType.HOST, 65535, null);
        List<CheckPair> added = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            added.add(list.add(l, remote("10.0.1." + (i + 1), CandidateType.HOST, 65535 - i), List.of(l)));
        }
        assertThat(list.pairs()).hasSize(3).containsExactly(added.get(0), added.get(1), added.get(2));
    }

    private static LocalEntry local(String ip, CandidateType type, int pref, InetSocketAddress related) {
        return new LocalEntry(cand(ip, 5000, type, pref, related), conn(ip, 5000));
    }

    private static MemoryPacketConn conn(String ip, int port) {
        InetSocketAddress a = CandidateTest.addr(ip, port);
        InetSocketAddress other = a.getAddress() instanceof java.net.Inet4Address ? CandidateTest.addr("127.0.0.2", 9)
                : CandidateTest.addr("::2", 9);
        return MemoryPacketConn.pair(a, other)[0];
    }

    private static RemoteEntry remote(String ip, CandidateType type, int pref) {
        return new RemoteEntry(cand(ip, 6000, type, pref, type == CandidateType.HOST ? null : CandidateTest.addr(ip, 1)));
    }

    private static Candidate cand(String ip, int port, CandidateType type, int pref, InetSocketAddress related) {
        InetAddress a = InetAddress.ofLiteral(ip);
        return new Candidate(Candidate.foundationOf(type, related == null ? a : related.getAddress(),
                type == CandidateType.SERVER_REFLEXIVE ? STUN : null, null), 1, Candidate.priorityOf(type, pref, 1),
                new InetSocketAddress(a, port), type, related, null);
    }
}
