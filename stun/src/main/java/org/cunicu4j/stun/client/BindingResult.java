package org.cunicu4j.stun.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * What a Binding transaction learnt.
 *
 * @param mappedAddress the server-reflexive address: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS
 *     from servers that send only that (RFC 3489 style)
 * @param server where the request went
 * @param respondedFrom where the response came from
 * @param rtt from the last transmission to the response (ambiguous when {@code requests > 1})
 * @param requests requests sent (more than 1 when retransmitted)
 * @param otherAddress OTHER-ADDRESS (RFC 5780): the server's alternate address and port
 * @param responseOrigin RESPONSE-ORIGIN (RFC 5780)
 * @param software the server's SOFTWARE
 */
public record BindingResult(InetSocketAddress mappedAddress, InetSocketAddress server,
        InetSocketAddress respondedFrom, Duration rtt, int requests, Optional<InetSocketAddress> otherAddress,
        Optional<InetSocketAddress> responseOrigin, Optional<String> software) {}
