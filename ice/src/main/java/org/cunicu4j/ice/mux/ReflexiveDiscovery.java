package org.cunicu4j.ice.mux;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.client.BindingClient;
import org.cunicu4j.stun.client.BindingResult;
import org.cunicu4j.stun.client.RetransmissionPolicy;
import org.cunicu4j.stun.client.StunClient;
import org.cunicu4j.stun.client.StunResponseException;

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

    /** As {@link #discover(InetSocketAddress)}, the transaction (retransmissions included) cut at {@code limit}. */
    CompletableFuture<BindingResult> discover(InetSocketAddress server, Duration limit) {
        RetransmissionPolicy p = client.policy();
        if (limit.compareTo(p.limit()) < 0) {
            p = p.withLimit(limit);
        }
        return client.request(BindingClient.bindingRequest(), server, p).thenApply(r -> {
            try {
                return BindingClient.interpret(r, server);
            } catch (StunResponseException e) {
                throw new CompletionException(e);
            }
        });
    }

    int pending() {
        return client.pending();
    }

    @Override
    public void close() {
        client.close();
    }
}
