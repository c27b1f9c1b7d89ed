package org.cunicu4j.stun.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.StunMessageBuilder;
import org.cunicu4j.stun.TransactionId;

/**
 * Server-reflexive address discovery (RFC 8489 section 3): a Binding request over a
 * {@link StunTransport}, answered with the address the server saw. Stateless apart from
 * the transport it borrows (it never closes it); thread-safe.
 */
public final class BindingClient {
    private final StunTransport transport;

    public BindingClient(StunTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** A Binding request with a fresh transaction ID and FINGERPRINT. */
    public static byte[] bindingRequest() {
        return StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random()).fingerprint().build();
    }

    /** A Binding request asking the server to answer from its other IP and/or port (RFC 5780). */
    public static byte[] bindingRequest(boolean changeIp, boolean changePort) {
        StunMessageBuilder b = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random());
        if (changeIp || changePort) {
            b.changeRequest(changeIp, changePort);
        }
        return b.fingerprint().build();
    }

    /** Discovers the mapped address; the future fails as {@link StunTransport#request} says, or with {@link StunResponseException}. */
    public CompletableFuture<BindingResult> discoverAsync() {
        return transport.request(bindingRequest()).thenApply(r -> {
            try {
                return interpret(r, transport.server());
            } catch (StunResponseException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /** Discovers the mapped address, waiting for the transaction. */
    public BindingResult discover() throws IOException {
        return interpret(transport.call(bindingRequest()), transport.server());
    }

    /**
     * Reads a Binding response: the mapped address (XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS)
     * and the RFC 5780 attributes.
     *
     * @throws StunResponseException for an error response or a success without an address
     */
    public static BindingResult interpret(StunResponse r, InetSocketAddress server) throws StunResponseException {
        StunMessage m = r.message();
        String from = StunTimeoutException.address(r.from());
        if (!r.isSuccess()) {
            var code = m.errorCode();
            throw new StunResponseException("Binding failed: " + from + " answered with an error"
                    + code.map(c -> " " + c).orElse(" (no ERROR-CODE)"), code.orElse(null));
        }
        Optional<InetSocketAddress> mapped = m.xorMappedAddress().or(m::mappedAddress);
        if (mapped.isEmpty()) {
            throw new StunResponseException("Binding response from " + from
                    + " has neither XOR-MAPPED-ADDRESS nor MAPPED-ADDRESS");
        }
        return new BindingResult(mapped.get(), server, r.from(), r.rtt(), r.requests(), m.otherAddress(),
                m.responseOrigin(), m.software());
    }
}
