package org.cunicu4j.stun.client;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A NAT's behaviour as RFC 5780 sections 4.3 and 4.4 classify it, each verdict with the
 * observation that led to it.
 *
 * @param mapping how the NAT maps: the same public address and port towards every
 *     destination (endpoint-independent), a new one per destination address, or per
 *     destination address and port
 * @param mappingReason what was observed, e.g. {@code "198.18.1.1:40000 towards
 *     198.18.0.10:3478 but 198.18.1.1:40001 towards 198.18.0.11:3478"}
 * @param filtering which inbound packets the NAT lets through to a mapping
 * @param filteringReason what was observed
 * @param mappedAddress the server-reflexive address seen by the primary address (test I)
 * @param otherAddress the server's OTHER-ADDRESS, absent when it does not do RFC 5780
 * @param behindNat false when the mapped address is the local address
 */
public record NatBehavior(Type mapping, String mappingReason, Type filtering, String filteringReason,
        InetSocketAddress mappedAddress, Optional<InetSocketAddress> otherAddress, boolean behindNat) {

    /** A verdict. */
    public enum Type {
        ENDPOINT_INDEPENDENT("endpoint-independent"),
        ADDRESS_DEPENDENT("address-dependent"),
        ADDRESS_AND_PORT_DEPENDENT("address-and-port-dependent"),
        /** The tests could not tell (the server lacks RFC 5780, or a test got no answer). */
        UNKNOWN("unknown");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    @Override
    public String toString() {
        return "mapping " + mapping + " (" + mappingReason + "), filtering " + filtering + " (" + filteringReason + ")";
    }
}
