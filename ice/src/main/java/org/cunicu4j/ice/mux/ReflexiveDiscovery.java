package org.cunicu4j.ice.mux;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.client.BindingClient;
import org.cunicu4j.stun.client.BindingResult;
import org.cunicu4j.stun.client.RetransmissionPolicy;
import org.cunicu4j.stun.client.StunClient;

/**
 * Server-reflexive discovery from a mux's own socket: Binding requests go out on the
 * shared {@link PacketConn}; the mux's reader offers each STUN datagram here first, and the
 * {@link StunClient} (fed by the mux) claims the responses by transaction ID, without
 * allocating for anything else. Thread-safe.
 */
final class ReflexiveDiscovery implements AutoCloseable {
    private final StunClient client;

    ReflexiveDiscovery(PacketConn conn, RetransmissionPolicy policy, ScheduledExecutorService timer) {
        this.client = StunClient.fedBy(conn, policy, timer);
    }

    /** True when the slot was a response to one of our requests (then consumed). */
    boolean offer(PacketBatch batch, int slot) {
        return client.offer(batch, slot);
    }

    CompletableFuture<BindingResult> discover(InetSocketAddress server) {
        return new BindingClient(client.transportTo(server)).discoverAsync();
    }

    int pending() {
        return client.pending();
    }

    @Override
    public void close() {
        client.close();
    }
}
