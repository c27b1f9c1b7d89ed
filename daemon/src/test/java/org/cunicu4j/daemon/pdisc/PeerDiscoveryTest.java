package org.cunicu4j.daemon.pdisc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.cunicu4j.ice.testing.FakeIceScheduler;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.signaling.backend.InProcessBackend;
import org.cunicu4j.signaling.proto.pdisc.PeerDescription;
import org.cunicu4j.signaling.proto.pdisc.PeerDescriptionChange;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three (or more) members on one in-process signaling hub, each with its own backend. */
class PeerDiscoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger HUBS = new AtomicInteger();

    private final String hub = "pdisc-test-" + ProcessHandle.current().pid() + "-" + HUBS.incrementAndGet();
    // a random community key: the Argon2id derivation has its own test and costs seconds
    private final Key community = Key.generatePrivate();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    /** A stand-in for autocfg's derivation: 10.237.b0.b1 and fc2f:9a4d::b0b1 from the key's first bytes. */
    static List<InetAddress> derive(Key publicKey) {
        byte[] k = publicKey.bytes();
        try {
            byte[] v6 = new byte[16];
            v6[0] = (byte) 0xfc;
            v6[1] = 0x2f;
            v6[2] = (byte) 0x9a;
            v6[3] = 0x4d;
            v6[14] = k[0];
            v6[15] = k[1];
            return List.of(InetAddress.getByAddress(new byte[] {10, (byte) 237, k[0], k[1]}),
                    InetAddress.getByAddress(v6));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private int hosts;

    private final class Member {
        final String name;
        final int host = ++hosts; // 192.0.2.host is this member's static address
        Key privateKey = Key.generatePrivate();
        final RecordingSink sink = new RecordingSink();
        // the backend joins the hub in start(): a member made only for its key hears nothing
        InProcessBackend backend;
        final LossyBackend lossy = new LossyBackend();
        final FakeIceScheduler timers = new FakeIceScheduler();
        PeerDiscovery.Limits limits = PeerDiscovery.Limits.DEFAULT;
        PeerDiscovery pd;

        Member(String name) {
            this.name = name;
        }

        Member start(KeyFilter filter) {
            open();
            PeerDiscovery.Settings s = new PeerDiscovery.Settings(community, name, List.of(IpPrefix.parse("192.0.2." + host + "/24")),
                    List.of(IpPrefix.parse("10.50." + (name.hashCode() & 0xff) + ".0/24")), Map.of(), filter);
            pd = track(PeerDiscovery.start("wg-" + name, privateKey, s, lossy, sink, PeerDiscoveryTest::derive,
                    PeerDiscovery.Timing.DEFAULT, timers, limits));
            pd.subscribed().join();
            // the first ADD is handed to the hub before the next member's backend joins it, so
            // that member learns of this one only through re-announcements, deterministically
            Waiter.until(name + " announced", WAIT, () -> pd.stats().announced() >= 1);
            Waiter.until(name + " scheduled its periodic announcement", WAIT, () -> timers.pending() >= 1);
            return this;
        }

        Member start() {
            return start(KeyFilter.ALL);
        }

        /** Joins the hub without peer discovery (for hand-made descriptions). */
        Member open() {
            backend = track(InProcessBackend.open(hub));
            lossy.attach(backend);
            return this;
        }

        Key publicKey() {
            return privateKey.publicKey();
        }
    }

    private static void awaitPeers(Member m, Member... expected) {
        Set<Key> keys = new java.util.HashSet<>();
        for (Member e : expected) {
            keys.add(e.publicKey());
        }
        Waiter.until(m.name + " has exactly " + keys.size() + " peers", WAIT, () -> m.sink.peers.keySet().equals(keys));
    }

    @Test
    void threeMembersDiscoverEachOtherWithTheirAdvertisedAllowedIpsAndNames() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        Member c = new Member("charlie").start();
        awaitPeers(a, b, c);
        awaitPeers(b, a, c);
        awaitPeers(c, a, b); // charlie joined last: learns of alpha and bravo from their re-announcements

        DiscoveredPeer seen = a.sink.peers.get(c.publicKey());
        List<InetAddress> cAddrs = derive(c.publicKey());
        assertThat(seen.name()).isEqualTo("charlie");
        assertThat(seen.allowedIps()).containsExactly(IpPrefix.parse("192.0.2." + c.host + "/32"),
                new IpPrefix(cAddrs.get(0), 32), new IpPrefix(cAddrs.get(1), 128),
                IpPrefix.parse("10.50." + ("charlie".hashCode() & 0xff) + ".0/24"));
        assertThat(seen.hosts()).containsExactly(Map.entry("charlie", cAddrs));
        assertThat(a.pd.peers()).containsKeys(b.publicKey(), c.publicKey());

        PeerDiscoveryStats s = a.pd.stats();
        assertThat(s.added()).isEqualTo(2);
        assertThat(s.own()).isPositive(); // our own announcements come back on the community topic
        assertThat(s.forged() + s.malformed() + s.sinkErrors() + s.publishErrors()).isZero();
        assertThat(a.sink.calls).doesNotContain("add alpha");
    }

    @Test
    void aLeavingMemberIsRemovedFromTheOthers() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        Member c = new Member("charlie").start();
        awaitPeers(a, b, c);
        awaitPeers(b, a, c);

        c.pd.close();
        awaitPeers(a, b);
        awaitPeers(b, a);
        assertThat(a.sink.calls).contains("remove charlie");
        assertThat(a.pd.stats().removed()).isEqualTo(1);
    }

    @Test
    void aRotatedKeyIsFollowed() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        Member c = new Member("charlie").start();
        awaitPeers(a, b, c);
        awaitPeers(c, a, b);

        Key oldKey = b.publicKey();
        b.privateKey = Key.generatePrivate();
        b.pd.keyChanged(b.privateKey);
        awaitPeers(a, b, c);
        awaitPeers(c, a, b);

        DiscoveredPeer followed = a.sink.peers.get(b.publicKey());
        assertThat(followed.allowedIps()).contains(new IpPrefix(derive(b.publicKey()).get(0), 32));
        assertThat(a.sink.has(oldKey)).isFalse();
        assertThat(a.sink.calls).contains("rotate bravo");
        assertThat(a.pd.stats().rotated()).isEqualTo(1);
        assertThat(c.pd.stats().rotated()).isEqualTo(1);

        // bravo repeats its key change in its next announcements (in case one was lost): the
        // members that followed it already drop these copies of a retired key as stale
        long stale = a.pd.stats().stale();
        b.pd.announce();
        Waiter.until("alpha saw bravo's repeated key change", WAIT, () -> a.pd.stats().stale() > stale);
        assertThat(a.sink.peers.keySet()).containsExactlyInAnyOrder(b.publicKey(), c.publicKey());
        assertThat(a.pd.stats().rotated()).isEqualTo(1);
    }

    @Test
    void aLateCopyFromARetiredKeyIsStale() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        settle(a, b);
        Key oldPrivate = b.privateKey;
        b.privateKey = Key.generatePrivate();
        b.pd.keyChanged(b.privateKey);
        awaitPeers(a, b);
        Waiter.until("alpha followed bravo's key change", WAIT, () -> a.pd.stats().rotated() == 1);

        // a delayed ADD of bravo's old key, validly sealed by the old key
        Member raw = new Member("raw").open();
        long stale = a.pd.stats().stale();
        publish(raw, oldPrivate, description(PeerDescriptionChange.ADD, oldPrivate.publicKey(), "bravo"));
        Waiter.until("alpha dropped the stale copy", WAIT, () -> a.pd.stats().stale() == stale + 1);
        assertThat(a.sink.peers.keySet()).containsExactly(b.publicKey());
    }

    @Test
    void aRetiredKeyExpiresAfterTwoAnnounceIntervals() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        settle(a, b);
        Key oldPrivate = b.privateKey;
        b.privateKey = Key.generatePrivate();
        b.pd.keyChanged(b.privateKey);
        Waiter.until("alpha followed bravo's key change", WAIT, () -> a.pd.stats().rotated() == 1);
        Member raw = new Member("raw").open();
        long stale = a.pd.stats().stale();
        Duration retiredFor = PeerDiscovery.Timing.DEFAULT.announceInterval().multipliedBy(PeerDiscovery.RETIRED_FOR);

        a.timers.advance(retiredFor.minusSeconds(1));
        a.pd.drained().join();
        publish(raw, oldPrivate, description(PeerDescriptionChange.ADD, oldPrivate.publicKey(), "bravo"));
        Waiter.until("still stale just before expiry", WAIT, () -> a.pd.stats().stale() == stale + 1);

        a.timers.advance(Duration.ofSeconds(1));
        a.pd.drained().join();
        publish(raw, oldPrivate, description(PeerDescriptionChange.ADD, oldPrivate.publicKey(), "bravo-old"));
        Waiter.until("the old key is a key like any other again", WAIT, () -> a.sink.has(oldPrivate.publicKey()));
        assertThat(a.pd.stats().stale()).isEqualTo(stale + 1);
    }

    @Test
    void closeWaitsBrieflyForASinkCallInProgress() {
        Member a = new Member("alpha").start();
        a.sink.gate = new java.util.concurrent.CountDownLatch(1); // never opened: a stuck device
        a.sink.windDownMillis = 200; // well within PeerDiscovery.SINK_GRACE
        Key x = Key.generatePrivate();
        Member raw = new Member("raw").open();
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x"));
        Waiter.until("alpha's worker is in the sink", WAIT, () -> a.sink.atGate.get() == 1);
        a.pd.close();
        // the interrupted sink call finished (and was counted) before close returned
        assertThat(a.pd.stats().sinkErrors()).isEqualTo(1);
    }

    @Test
    void aBlacklistedKeyIsNeverAdded() {
        Member c = new Member("charlie");
        Member a = new Member("alpha").start(new KeyFilter(Set.of(), Set.of(c.publicKey())));
        Member b = new Member("bravo").start();
        settle(a, b); // alpha's re-announcement for bravo went out before charlie joins
        c.start();
        awaitPeers(b, a, c);
        awaitPeers(c, b); // alpha refuses charlie, so it does not re-announce itself for charlie either
        awaitPeers(a, b);
        Waiter.until("alpha filtered charlie", WAIT, () -> a.pd.stats().filtered() >= 2); // its ADD and re-announcement
        // a minute later everyone repeats its ADD: charlie learns of alpha and re-announces; alpha keeps refusing it
        for (Member m : List.of(a, b, c)) {
            m.timers.advance(PeerDiscovery.Timing.DEFAULT.announceInterval());
        }
        awaitPeers(c, a, b);
        Waiter.until("alpha filtered charlie again", WAIT, () -> a.pd.stats().filtered() >= 4);
        assertThat(a.sink.calls).noneMatch(call -> call.contains("charlie"));
        assertThat(a.sink.peers.keySet()).containsExactly(b.publicKey());
    }

    @Test
    void aWhitelistIsHonoured() {
        Member b = new Member("bravo");
        Member a = new Member("alpha").start(new KeyFilter(Set.of(b.publicKey()), Set.of()));
        b.start();
        settle(a, b);
        Member c = new Member("charlie").start();
        awaitPeers(c, b);
        awaitPeers(b, a, c);
        awaitPeers(a, b);
        Waiter.until("alpha filtered charlie", WAIT, () -> a.pd.stats().filtered() >= 2);
        assertThat(a.sink.has(c.publicKey())).isFalse();
        assertThat(a.pd.stats().added()).isEqualTo(1);
    }

    @Test
    void aForgedDescriptionIsRejectedAndCounted() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        awaitPeers(a, b);

        // mallory, a community member, describes bravo's key (new allowed IPs) sealed with its own key
        Key mallory = Key.generatePrivate();
        Member raw = new Member("raw").open();
        PeerDescription hijack = description(PeerDescriptionChange.UPDATE, b.publicKey(), "bravo").toBuilder()
                .clearAllowedIps().addAllowedIps("0.0.0.0/0").build();
        publish(raw, mallory, hijack);
        // ... claims bravo left
        publish(raw, mallory, description(PeerDescriptionChange.REMOVE, b.publicKey(), "bravo"));
        // ... and, sealed by a third key, claims bravo rotated to mallory's key
        publish(raw, Key.generatePrivate(), description(PeerDescriptionChange.UPDATE, b.publicKey(), "bravo")
                .toBuilder().setPublicKeyNew(ByteString.copyFrom(mallory.publicKey().bytes())).build());
        Waiter.until("alpha rejected three forgeries", WAIT, () -> a.pd.stats().forged() == 3);
        assertThat(a.sink.peers.keySet()).containsExactly(b.publicKey());
        assertThat(a.sink.peers.get(b.publicKey()).allowedIps()).doesNotContain(IpPrefix.parse("0.0.0.0/0"));
        assertThat(a.pd.stats().rotated() + a.pd.stats().removed() + a.pd.stats().updated()).isZero();
    }

    @Test
    void aKeyChangeOntoAnotherMembersKeyIsForgedAndLeavesThatMemberAlone() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        awaitPeers(a, b);
        DiscoveredPeer bravoBefore = a.sink.peers.get(b.publicKey());

        // mallory, known to alpha, "rotates" from its own key onto bravo's, sealed by its own key
        Key mallory = Key.generatePrivate();
        Member raw = new Member("raw").open();
        publish(raw, mallory, description(PeerDescriptionChange.ADD, mallory.publicKey(), "mallory"));
        Waiter.until("alpha added mallory", WAIT, () -> a.sink.has(mallory.publicKey()));
        publish(raw, mallory, rotation(mallory.publicKey(), b.publicKey(), "mallory").toBuilder()
                .clearAllowedIps().addAllowedIps("0.0.0.0/0").build());
        Waiter.until("alpha rejected the takeover", WAIT, () -> a.pd.stats().forged() == 1);
        // an unknown key tries the same, and one onto alpha's own key
        Key eve = Key.generatePrivate();
        publish(raw, eve, rotation(eve.publicKey(), b.publicKey(), "eve"));
        publish(raw, eve, rotation(eve.publicKey(), a.publicKey(), "eve"));
        Waiter.until("alpha rejected both", WAIT, () -> a.pd.stats().forged() == 3);

        assertThat(a.sink.peers.get(b.publicKey())).isEqualTo(bravoBefore);
        assertThat(a.sink.peers.keySet()).containsExactly(b.publicKey()); // mallory gave up its key
        assertThat(a.sink.calls).noneMatch(call -> call.startsWith("update") || call.startsWith("rotate"));
        assertThat(a.pd.stats().rotated()).isZero();
    }

    @Test
    void aKeyChangeSealedByTheNewKeyIsFollowedAsCunicuSendsIt() {
        Member a = new Member("alpha").start();
        Key oldKey = Key.generatePrivate();
        Key newKey = Key.generatePrivate();
        Member raw = new Member("raw").open();
        publish(raw, oldKey, description(PeerDescriptionChange.ADD, oldKey.publicKey(), "x"));
        Waiter.until("alpha added x", WAIT, () -> a.sink.has(oldKey.publicKey()));
        publish(raw, newKey, rotation(oldKey.publicKey(), newKey.publicKey(), "x"));
        Waiter.until("alpha followed x", WAIT, () -> a.sink.has(newKey.publicKey()));
        assertThat(a.sink.peers.keySet()).containsExactly(newKey.publicKey());
        assertThat(a.pd.stats().rotated()).isEqualTo(1);
        assertThat(a.pd.stats().forged()).isZero();
    }

    @Test
    void aKeyChangeFromABlacklistedKeyIsFilteredWhicheverKeySealedIt() {
        Key banned = Key.generatePrivate();
        Member a = new Member("alpha").start(new KeyFilter(Set.of(), Set.of(banned.publicKey())));
        Member raw = new Member("raw").open();
        Key fresh = Key.generatePrivate();
        publish(raw, fresh, rotation(banned.publicKey(), fresh.publicKey(), "banned"));
        Key fresh2 = Key.generatePrivate();
        publish(raw, banned, rotation(banned.publicKey(), fresh2.publicKey(), "banned"));
        Waiter.until("alpha filtered both", WAIT, () -> a.pd.stats().filtered() == 2);
        assertThat(a.sink.peers).isEmpty();
    }

    @Test
    void aReplayedRemoveIsDroppedAndCounted() {
        Member a = new Member("alpha").start();
        Key x = Key.generatePrivate();
        Member raw = new Member("raw").open();
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x"));
        Waiter.until("alpha added x", WAIT, () -> a.sink.has(x.publicKey()));
        org.cunicu4j.signaling.proto.signaling.Envelope remove = org.cunicu4j.signaling.seal.Sealer.seal(
                Message.newBuilder().setPeer(description(PeerDescriptionChange.REMOVE, x.publicKey(), "x")).build(),
                KeyPair.of(x, community.publicKey()));
        raw.backend.publish(remove).join();
        Waiter.until("alpha removed x", WAIT, () -> !a.sink.has(x.publicKey()));
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x"));
        Waiter.until("x came back", WAIT, () -> a.sink.has(x.publicKey()));

        raw.backend.publish(remove).join(); // someone who recorded x's REMOVE plays it again
        Waiter.until("alpha dropped the replay", WAIT, () -> a.pd.stats().replayed() == 1);
        assertThat(a.sink.has(x.publicKey())).isTrue();
        assertThat(a.pd.stats().removed()).isEqualTo(1);
    }

    @Test
    void aFullCommunityRefusesNewMembersUntilOneLeaves() {
        Member a = new Member("alpha");
        a.limits = new PeerDiscovery.Limits(2, 4096);
        a.start();
        Member raw = new Member("raw").open();
        Key x = Key.generatePrivate();
        Key y = Key.generatePrivate();
        Key z = Key.generatePrivate();
        for (Key k : List.of(x, y, z)) {
            publish(raw, k, description(PeerDescriptionChange.ADD, k.publicKey(), "m"));
        }
        Waiter.until("alpha refused the third", WAIT, () -> a.pd.stats().refused() == 1);
        assertThat(a.sink.peers.keySet()).containsExactlyInAnyOrder(x.publicKey(), y.publicKey());

        publish(raw, x, description(PeerDescriptionChange.REMOVE, x.publicKey(), "m"));
        publish(raw, z, description(PeerDescriptionChange.ADD, z.publicKey(), "m"));
        Waiter.until("alpha took z once x left", WAIT, () -> a.sink.has(z.publicKey()));
        assertThat(a.sink.peers.keySet()).containsExactlyInAnyOrder(y.publicKey(), z.publicKey());
    }

    @Test
    void descriptionsBeyondTheQueueAreDroppedWhileTheSinkIsStuck() {
        Member a = new Member("alpha");
        a.limits = new PeerDiscovery.Limits(1024, 4);
        a.start();
        Waiter.until("alpha heard its own ADD", WAIT, () -> a.pd.stats().own() >= 1);
        a.sink.gate = new java.util.concurrent.CountDownLatch(1);
        Member raw = new Member("raw").open();
        int flood = 21;
        for (int i = 0; i < flood; i++) {
            Key k = Key.generatePrivate();
            publish(raw, k, description(PeerDescriptionChange.ADD, k.publicKey(), "m" + i));
        }
        // the first blocks the worker in the sink, four wait in the queue, the rest are dropped
        Waiter.until("alpha dropped the overflow", WAIT, () -> a.pd.stats().dropped() >= flood - 5);
        a.sink.gate.countDown();
        Waiter.until("alpha handled the rest", WAIT, () -> a.pd.stats().added() + a.pd.stats().dropped() == flood);
        assertThat(a.pd.stats().added()).isBetween(1L, 5L);
        assertThat(a.sink.peers).hasSize((int) a.pd.stats().added());
    }

    @Test
    void reannouncementsAreRateLimitedOnTheClock() {
        Member a = new Member("alpha").start();
        Member raw = new Member("raw").open();
        for (int i = 0; i < 10; i++) {
            Key k = Key.generatePrivate();
            publish(raw, k, description(PeerDescriptionChange.ADD, k.publicKey(), "m" + i));
            Waiter.until("alpha added m" + i, WAIT, () -> a.sink.has(k.publicKey()));
            a.pd.drained().join();
        }
        // the ADD at start, then a burst of re-announcements; the rest wait for the clock
        assertThat(a.pd.stats().announced()).isEqualTo(1 + Announcer.REANNOUNCE_BURST);
        a.timers.advance(Duration.ofSeconds(1));
        a.pd.drained().join();
        assertThat(a.pd.stats().announced()).as("one coalesced re-announcement a second later")
                .isEqualTo(2 + Announcer.REANNOUNCE_BURST);
        a.timers.advance(Duration.ofSeconds(5));
        a.pd.drained().join();
        assertThat(a.pd.stats().announced()).isEqualTo(2 + Announcer.REANNOUNCE_BURST);
    }

    @Test
    void allowedIpsCoveringOurAddressesOrAnotherMembersOrTheDefaultRouteAreLeftOut() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        awaitPeers(a, b);
        Key x = Key.generatePrivate();
        Member raw = new Member("raw").open();
        InetAddress bravoDerived = derive(b.publicKey()).get(0);
        IpPrefix own = new IpPrefix(derive(x.publicKey()).get(0), 32);
        IpPrefix lan = IpPrefix.parse("198.51.100.0/24");
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x").toBuilder()
                .addAllowedIps("192.0.2.0/24") // alpha's static address
                .addAllowedIps(new IpPrefix(derive(a.publicKey()).get(1), 128).toString()) // alpha's derived
                .addAllowedIps(new IpPrefix(bravoDerived, 16).masked().toString()) // bravo's derived
                .addAllowedIps("0.0.0.0/0").addAllowedIps("::/0")
                .addAllowedIps(lan.toString()).build());
        Waiter.until("alpha added x", WAIT, () -> a.sink.has(x.publicKey()));
        assertThat(a.sink.peers.get(x.publicKey()).allowedIps()).containsExactly(own, lan);
        assertThat(a.pd.stats().refusedIps()).isEqualTo(5);
        assertThat(a.sink.peers.get(b.publicKey()).allowedIps()).contains(new IpPrefix(bravoDerived, 32));
    }

    @Test
    void defaultRoutesAreKeptWhenAllowed() {
        Member raw = new Member("raw").open();
        RecordingSink sink = new RecordingSink();
        PeerDiscovery.Settings s = new PeerDiscovery.Settings(community, "alpha", List.of(), List.of(), Map.of(),
                KeyFilter.ALL, true);
        Member a = new Member("alpha").open();
        PeerDiscovery pd = track(PeerDiscovery.start("wg-alpha", a.privateKey, s, a.lossy, sink,
                PeerDiscoveryTest::derive, PeerDiscovery.Timing.DEFAULT, a.timers));
        pd.subscribed().join();
        Key x = Key.generatePrivate();
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x").toBuilder()
                .addAllowedIps("0.0.0.0/0").addAllowedIps("::/0").build());
        Waiter.until("alpha added x", WAIT, () -> sink.has(x.publicKey()));
        assertThat(sink.peers.get(x.publicKey()).allowedIps()).contains(IpPrefix.parse("0.0.0.0/0"),
                IpPrefix.parse("::/0"));
        assertThat(pd.stats().refusedIps()).isZero();
    }

    @Test
    void malformedDescriptionsAndOtherMessagesAreCountedAndDropped() {
        Member a = new Member("alpha").start();
        Key x = Key.generatePrivate();
        Member raw = new Member("raw").open();
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x").toBuilder()
                .addAllowedIps("10.0.0.0/99").build());
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x\n10.0.0.1 evil").toBuilder().build());
        raw.backend.publish(Message.newBuilder().setCandidate(
                org.cunicu4j.signaling.proto.epdisc.Candidate.getDefaultInstance()).build(),
                KeyPair.of(x, community.publicKey())).join();
        Waiter.until("alpha dropped two malformed descriptions", WAIT, () -> a.pd.stats().malformed() == 2);
        Waiter.until("alpha ignored the candidate", WAIT, () -> a.pd.stats().ignored() == 1);
        assertThat(a.sink.peers).isEmpty();

        // the same member, well-formed, is then accepted
        publish(raw, x, description(PeerDescriptionChange.ADD, x.publicKey(), "x"));
        Waiter.until("alpha added x", WAIT, () -> a.sink.has(x.publicKey()));
    }

    @Test
    void aFailingSinkIsCountedAndTheNextDescriptionRetries() {
        Member a = new Member("alpha").start();
        a.sink.failNext.set(1);
        Member b = new Member("bravo").start();
        Waiter.until("alpha's sink failed once", WAIT, () -> a.pd.stats().sinkErrors() == 1);
        assertThat(a.sink.has(b.publicKey())).isFalse();
        b.pd.announce();
        awaitPeers(a, b);
        assertThat(a.sink.calls).containsSubsequence("failed add", "add bravo");
    }

    /** Two members that found each other, with the re-announcements done: each announced ADD twice. */
    private static void settle(Member a, Member b) {
        awaitPeers(a, b);
        awaitPeers(b, a);
        Waiter.until("both announced twice", WAIT, () -> a.pd.stats().announced() == 2 && b.pd.stats().announced() == 2);
    }

    @Test
    void aNewMemberCausesOneReannouncementNotAStorm() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        settle(a, b); // each: its ADD at start, and one re-announcement when it saw the other
        b.pd.announce(); // a known member re-announcing triggers nothing
        Waiter.until("alpha saw bravo again", WAIT, () -> a.pd.stats().unchanged() >= 1);
        Member c = new Member("charlie").start();
        awaitPeers(c, a, b);
        // alpha re-announced once for charlie, and not for the re-announcements of bravo and charlie
        Waiter.until("alpha saw the re-announcements of bravo and charlie", WAIT, () -> a.pd.stats().unchanged() >= 3);
        assertThat(a.pd.stats().announced()).isEqualTo(3);
    }

    @Test
    void aLostAnnouncementIsMadeUpForByThePeriodicOne() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo");
        b.lossy.dropNext.set(1); // bravo's first ADD is lost: neither side learns of the other
        b.start();
        Waiter.until("bravo announced once", WAIT, () -> b.pd.stats().announced() == 1);
        assertThat(a.sink.peers).isEmpty();

        b.timers.advance(PeerDiscovery.Timing.DEFAULT.announceInterval());
        awaitPeers(a, b);
        awaitPeers(b, a); // alpha re-announced when bravo appeared
    }

    @Test
    void aRefusedAnnouncementIsRetriedWithBackoff() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo");
        b.lossy.failNext.set(2); // the server is unreachable for bravo's first two publishes
        b.start();
        Waiter.until("bravo's ADD was refused", WAIT, () -> b.pd.stats().publishErrors() == 1);
        Waiter.until("bravo's retry is scheduled", WAIT, () -> b.timers.pending() >= 2);
        b.timers.advance(java.time.Duration.ofSeconds(1));
        Waiter.until("bravo's first retry was refused", WAIT, () -> b.pd.stats().publishErrors() == 2);
        Waiter.until("bravo's second retry is scheduled", WAIT, () -> b.timers.pending() >= 2);
        b.timers.advance(java.time.Duration.ofSeconds(1));
        b.pd.drained().join(); // a retry that fell due was handed to the worker in advance(): it ran now
        assertThat(b.pd.stats().announced()).as("the second retry waits 2 s").isEqualTo(2);
        b.timers.advance(java.time.Duration.ofSeconds(1));
        b.pd.drained().join();
        // 3, or already 4 when alpha's answer to it came back and bravo re-announced
        assertThat(b.pd.stats().announced()).as("the second retry after 2 s").isGreaterThanOrEqualTo(3);
        awaitPeers(a, b);
        awaitPeers(b, a);
        // ADD, two retries, ADD after seeing alpha
        Waiter.until("bravo announced 4 times", WAIT, () -> b.pd.stats().announced() == 4);
        assertThat(b.pd.stats().publishErrors()).isEqualTo(2);
    }

    @Test
    void aLostKeyChangeIsRepeatedByTheNextAnnouncement() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        settle(a, b);
        Key oldKey = b.publicKey();
        b.lossy.dropNext.set(1);
        b.privateKey = Key.generatePrivate();
        b.pd.keyChanged(b.privateKey);
        Waiter.until("bravo announced its key change", WAIT, () -> b.pd.stats().announced() >= 3);
        assertThat(a.sink.has(oldKey)).isTrue();

        b.timers.advance(PeerDiscovery.Timing.DEFAULT.announceInterval());
        awaitPeers(a, b);
        assertThat(a.pd.stats().rotated()).isEqualTo(1);
    }

    @Test
    void closingAfterAKeyChangeAlsoRemovesTheOldKey() {
        Member a = new Member("alpha").start();
        Member b = new Member("bravo").start();
        settle(a, b);
        Key oldKey = b.publicKey();
        b.lossy.dropNext.set(1); // alpha misses the key change and still knows bravo by the old key
        b.privateKey = Key.generatePrivate();
        b.pd.keyChanged(b.privateKey);
        Waiter.until("bravo announced its key change", WAIT, () -> b.pd.stats().announced() >= 3);
        assertThat(a.sink.has(oldKey)).isTrue();
        b.pd.close();
        Waiter.until("alpha removed bravo's old key", WAIT, () -> a.sink.peers.isEmpty());
    }

    // ---- a raw member that publishes hand-made descriptions ----------------------------------

    private PeerDescription description(PeerDescriptionChange change, Key publicKey, String name) {
        return PeerDescription.newBuilder().setChange(change).setName(name)
                .setPublicKey(ByteString.copyFrom(publicKey.bytes()))
                .addAllowedIps(new IpPrefix(derive(publicKey).get(0), 32).toString()).build();
    }

    /** An UPDATE from {@code oldKey} to {@code newKey}, describing the new key's derived address. */
    private PeerDescription rotation(Key oldKey, Key newKey, String name) {
        return description(PeerDescriptionChange.UPDATE, newKey, name).toBuilder()
                .setPublicKey(ByteString.copyFrom(oldKey.bytes()))
                .setPublicKeyNew(ByteString.copyFrom(newKey.bytes())).build();
    }

    private void publish(Member raw, Key sealWith, PeerDescription d) {
        raw.backend.publish(Message.newBuilder().setPeer(d).build(), KeyPair.of(sealWith, community.publicKey())).join();
    }

}
