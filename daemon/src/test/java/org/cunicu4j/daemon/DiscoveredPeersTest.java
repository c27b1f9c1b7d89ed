package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.daemon.autocfg.DerivedAddresses;
import org.cunicu4j.daemon.pdisc.DiscoveredPeer;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;
import org.junit.jupiter.api.Test;

/**
 * The peer-discovery sink: members' peers with their advertised and derived allowed IPs,
 * applied on the given (daemon) thread, names for the status; after {@code stop} a change
 * waiting for a busy daemon thread is cancelled instead of waited for.
 */
class DiscoveredPeersTest {
    private static final List<IpPrefix> PREFIXES = DerivedAddresses.DEFAULT_PREFIXES;

    /** A control that records the updates and the thread they came on. */
    private static final class Recording implements WireGuardControl {
        final List<PeerUpdate> updates = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "wgfake";
        }

        @Override
        public DeviceStatus status() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void apply(DeviceUpdate update) {
            updates.addAll(update.peers());
            threads.add(Thread.currentThread().getName());
        }
    }

    @Test
    void addUpdateRemoveGoThroughTheDaemonThreadWithDerivedAllowedIps() throws Exception {
        Recording control = new Recording();
        Executor daemonThread = r -> Thread.ofPlatform().name("daemon-thread").start(r);
        DiscoveredPeers sink = new DiscoveredPeers(control, PREFIXES, daemonThread);
        Key k = Key.generatePrivate().publicKey();
        IpPrefix advertised = IpPrefix.parse("10.1.2.3/32");

        sink.add(new DiscoveredPeer(k, "bravo", List.of(advertised), Map.of()));
        PeerUpdate add = control.updates.getLast();
        assertThat(add.publicKey()).isEqualTo(k);
        assertThat(add.remove()).isFalse();
        assertThat(add.replaceAllowedIps()).isTrue();
        List<IpPrefix> want = new ArrayList<>(List.of(advertised));
        want.addAll(DerivedAddresses.hostPrefixes(k, PREFIXES));
        assertThat(add.allowedIps()).containsExactlyElementsOf(want);
        assertThat(sink.name(k)).isEqualTo("bravo");

        sink.update(new DiscoveredPeer(k, "", List.of(), Map.of()));
        assertThat(control.updates.getLast().allowedIps()).containsExactlyElementsOf(DerivedAddresses.hostPrefixes(k, PREFIXES));
        assertThat(sink.name(k)).as("a name no longer advertised").isNull();

        sink.add(new DiscoveredPeer(k, "bravo", List.of(), Map.of()));
        sink.remove(k);
        assertThat(control.updates.getLast().remove()).isTrue();
        assertThat(control.updates.getLast().publicKey()).isEqualTo(k);
        assertThat(sink.name(k)).isNull();
        assertThat(control.threads).hasSize(4).containsOnly("daemon-thread");
    }

    @Test
    void stopCancelsAChangeWaitingForABusyDaemonThread() throws Exception {
        Recording control = new Recording();
        List<Runnable> queued = new CopyOnWriteArrayList<>();
        DiscoveredPeers sink = new DiscoveredPeers(control, PREFIXES, queued::add); // the daemon thread never gets to it
        Key k = Key.generatePrivate().publicKey();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                sink.add(new DiscoveredPeer(k, "bravo", List.of(), Map.of()));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        org.cunicu4j.testlab.Waiter.until("the change is queued", java.time.Duration.ofSeconds(5), () -> !queued.isEmpty());
        assertThat(outcome).isNotDone();
        sink.stop();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        worker.join();
        assertThat(control.updates).isEmpty();
        assertThat(sink.name(k)).isNull();
        // and later changes are refused at once
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sink.remove(k)).isInstanceOf(IllegalStateException.class);
    }
}
