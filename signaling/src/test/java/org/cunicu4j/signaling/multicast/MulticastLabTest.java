package org.cunicu4j.signaling.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Switch;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The multicast backend between lab hosts on one switch, each backend made inside its host's
 * namespace: alice's envelope for bob reaches bob's subscription, and carol, on the same
 * link and subscribed to her own key, hears the datagram but gets no message from it.
 */
@RequiresRoot
@RequiresTools("ip")
@Timeout(60)
class MulticastLabTest {
    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();
    private final Key carol = Key.generatePrivate();

    @Test
    void aliceToBobOverIpv4WithRoutesOrANamedInterface() throws Exception {
        try (Lab lab = Lab.open()) {
            Switch lan = lab.switchNamed("lan");
            Host a = lab.host("alice");
            Host b = lab.host("bob");
            Host c = lab.host("carol");
            lab.attach(a, lan, "10.9.0.1/24");
            lab.attach(b, lan, "10.9.0.2/24");
            lab.attach(c, lan, "10.9.0.3/24");
            // alice and bob route multicast out of eth0 and name no interface; carol has no
            // route and names hers
            a.run("ip", "route", "add", "224.0.0.0/4", "dev", "eth0");
            b.run("ip", "route", "add", "224.0.0.0/4", "dev", "eth0");
            String url = "multicast://239.0.0.1:9999";
            assertThatThrownBy(() -> NetNs.call(c.netns(), () -> Backends.open(url)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("no route to the group")
                    .hasMessageContaining("ip route add 224.0.0.0/4 dev eth0");

            try (MulticastBackend ma = NetNs.call(a.netns(), () -> (MulticastBackend) Backends.open(url));
                    MulticastBackend mb = NetNs.call(b.netns(), () -> MulticastBackend.open(url));
                    MulticastBackend mc = NetNs.call(c.netns(), () -> MulticastBackend.open(url + "?interface=eth0"))) {
                assertThat(ma.networkInterface().getName()).isEqualTo("eth0");
                assertThat(mb.networkInterface().getName()).isEqualTo("eth0");
                exchange(ma, mb, mc);
            }
        }
    }

    @Test
    void aliceToBobOverALinkLocalIpv6Group() throws Exception {
        try (Lab lab = Lab.open()) {
            Switch lan = lab.switchNamed("lan");
            Host a = lab.host("alice");
            Host b = lab.host("bob");
            Host c = lab.host("carol");
            for (Host h : new Host[] {a, b, c}) {
                // link-local source addresses usable at once (no duplicate address detection)
                h.sysctl("net.ipv6.conf.default.accept_dad", "0");
            }
            // IPv4 too: the lab gives each host one; the IPv6 path needs only the link-local address
            lab.attach(a, lan, "10.9.0.1/24");
            lab.attach(b, lan, "10.9.0.2/24");
            lab.attach(c, lan, "10.9.0.3/24");
            String url = "multicast://[ff02::c4a1]:9999?interface=eth0";
            try (MulticastBackend ma = NetNs.call(a.netns(), () -> MulticastBackend.open(url));
                    MulticastBackend mb = NetNs.call(b.netns(), () -> MulticastBackend.open(url));
                    MulticastBackend mc = NetNs.call(c.netns(), () -> MulticastBackend.open(url))) {
                assertThat(ma.target().isIpv6()).isTrue();
                exchange(ma, mb, mc);
            }
        }
    }

    /** alice publishes to bob, then to carol (the positive control); each gets exactly their own. */
    private void exchange(MulticastBackend ma, MulticastBackend mb, MulticastBackend mc) throws Exception {
        BlockingQueue<Opened> atBob = new LinkedBlockingQueue<>();
        BlockingQueue<Opened> atCarol = new LinkedBlockingQueue<>();
        assertThat(mb.subscribe(KeyPair.of(bob, alice.publicKey()), atBob::add).subscribed()).isCompleted();
        assertThat(mc.subscribe(KeyPair.wildcard(carol), atCarol::add).subscribed()).isCompleted();

        Message toBob = MulticastBackendTest.credentials("bobbobbobbobbobb");
        ma.publish(toBob, KeyPair.of(alice, bob.publicKey())).get(5, TimeUnit.SECONDS);
        Opened got = atBob.poll(5, TimeUnit.SECONDS);
        assertThat(got).as("bob receives alice's message").isNotNull();
        assertThat(got.message()).isEqualTo(toBob);
        assertThat(got.sender()).isEqualTo(alice.publicKey());

        Message toCarol = MulticastBackendTest.credentials("carolcarolcarolc");
        ma.publish(toCarol, KeyPair.of(alice, carol.publicKey())).get(5, TimeUnit.SECONDS);
        Opened carols = atCarol.poll(5, TimeUnit.SECONDS);
        assertThat(carols).as("carol receives her own message (positive control)").isNotNull();
        assertThat(carols.message()).isEqualTo(toCarol);
        assertThat(atCarol).as("nothing for bob reached carol's handler").isEmpty();
        assertThat(mc.datagramsReceived()).as("carol's host heard both datagrams").isEqualTo(2);
        assertThat(mc.notForUs()).isEqualTo(1);
        assertThat(mc.stats().rejectedTotal()).isZero();
        assertThat(atBob).as("bob got exactly one message").isEmpty();
        assertThat(mb.stats().opened()).isEqualTo(1);
    }
}
