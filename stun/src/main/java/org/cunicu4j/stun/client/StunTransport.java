package org.cunicu4j.stun.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.cunicu4j.stun.StunMessage;

/**
 * A path to one STUN/TURN server over which transactions run: UDP (with
 * retransmissions, {@link StunClient#transportTo}) or a TCP/TLS stream (a single
 * timeout, {@link StreamStunTransport}). What the server sends that is not a response
 * (TURN Data indications, ChannelData) goes to the {@link InboundHandler} of the
 * underlying client or stream.
 *
 * <p>Thread-safe: requests may be issued from any thread.
 */
public interface StunTransport extends AutoCloseable {

    /**
     * Sends {@code request} (a complete STUN request, as built) to the server. The future
     * completes with the response whose transaction ID matches (success or error class),
     * or exceptionally with {@link StunTimeoutException}, {@link StunResponseException} (the
     * response has unknown comprehension-required attributes) or another
     * {@link IOException}. Callbacks run on the transport's reader or timer thread.
     */
    default CompletableFuture<StunResponse> request(byte[] request) {
        return request(request, null);
    }

    /**
     * Like {@link #request(byte[])}, but a response for which {@code accept} is false (its
     * MESSAGE-INTEGRITY does not verify, or is missing where a key was used) is discarded
     * as if never received: the transaction goes on waiting (RFC 8489 section 9.2.5).
     * {@code accept} runs on the reader thread, must not block, and may be null (accept all).
     */
    CompletableFuture<StunResponse> request(byte[] request, Predicate<StunMessage> accept);

    /**
     * Sends one message with no transaction: an indication, or TURN ChannelData (which a
     * stream transport pads to a multiple of 4 bytes, RFC 8656 section 12.5; over UDP it
     * goes as given). The bytes from the buffer's position to its limit are sent; its
     * position is unchanged.
     */
    void send(ByteBuffer message) throws IOException;

    /** The server's address. */
    InetSocketAddress server();

    /** The local address this transport sends from. */
    InetSocketAddress localAddress();

    /** "UDP", "TCP" or "TLS". */
    String protocol();

    /** Sends {@code request} and waits for the response; unwraps the future's failure. */
    default StunResponse call(byte[] request) throws IOException {
        return StunClient.await(request(request));
    }

    @Override
    void close();
}
