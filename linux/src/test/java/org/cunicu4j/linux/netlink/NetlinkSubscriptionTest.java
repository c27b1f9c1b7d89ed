package org.cunicu4j.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.linux.netlink.NetlinkEvent.AddressEvent;
import org.cunicu4j.linux.netlink.NetlinkEvent.Change;
import org.cunicu4j.linux.netlink.NetlinkEvent.LinkEvent;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools("ip")
class NetlinkSubscriptionTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @Test
    void deliversAddressAndLinkChangesMadeWithIp() throws Exception {
        try (Lab lab = Lab.open()) {
            Host host = lab.host("sub");
            Queue<NetlinkEvent> events = new ConcurrentLinkedQueue<>();
            NetlinkSubscription subscription = NetNs.call(host.netns(), () -> NetlinkSubscription.start(events::add));
            try {
                host.run("ip", "addr", "add", "10.78.1.1/24", "dev", "lo");
                Waiter.until("an address-added event for 10.78.1.1/24", DEADLINE, () -> events.contains(
                        new AddressEvent(Change.ADDED, LinkAddress.parse(1, "10.78.1.1/24"))));

                host.run("ip", "addr", "del", "10.78.1.1/24", "dev", "lo");
                Waiter.until("an address-removed event", DEADLINE, () -> events.contains(
                        new AddressEvent(Change.REMOVED, LinkAddress.parse(1, "10.78.1.1/24"))));

                host.run("ip", "link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
                Waiter.until("a link-added event for ev0", DEADLINE, () -> events.stream().anyMatch(e ->
                        e instanceof LinkEvent l && l.change() == Change.ADDED && l.link().name().equals("ev0")));
                host.run("ip", "link", "set", "ev0", "mtu", "1300");
                Waiter.until("a link-changed event with mtu 1300", DEADLINE, () -> events.stream().anyMatch(e ->
                        e instanceof LinkEvent l && l.change() == Change.CHANGED && l.link().mtu() == 1300));
                host.run("ip", "link", "del", "ev0");
                Waiter.until("a link-removed event for ev0", DEADLINE, () -> events.stream().anyMatch(e ->
                        e instanceof LinkEvent l && l.change() == Change.REMOVED && l.link().name().equals("ev0")));

                assertThat(subscription.malformedMessages()).isZero();
                assertThat(subscription.failure()).isNull();
            } finally {
                long start = System.nanoTime();
                subscription.close();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close wakes the event thread").isLessThan(DEADLINE);
            }
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("netlink-events") && t.isAlive()
                    && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("NetlinkSubscription")));
        }
    }

    @Test
    void aThrowingListenerIsCountedAndKeepsReceiving() throws Exception {
        try (Lab lab = Lab.open()) {
            Host host = lab.host("sub");
            Queue<NetlinkEvent> events = new ConcurrentLinkedQueue<>();
            try (NetlinkSubscription subscription = NetNs.call(host.netns(), () -> NetlinkSubscription.start(e -> {
                events.add(e);
                throw new IllegalStateException("listener bug");
            }))) {
                host.run("ip", "addr", "add", "10.78.2.1/24", "dev", "lo");
                host.run("ip", "addr", "add", "10.78.3.1/24", "dev", "lo");
                Waiter.until("both address events", DEADLINE, () -> events.stream()
                        .filter(e -> e instanceof AddressEvent a && a.address().address().getHostAddress().startsWith("10.78."))
                        .count() >= 2);
                // the failure is counted after the listener has thrown, i.e. after it queued the event
                Waiter.until("both failures counted", DEADLINE, () -> subscription.listenerFailures() >= 2);
            }
        }
    }
}
