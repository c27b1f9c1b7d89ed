package org.cunicu4j.testlab;

/**
 * How a {@link NatRouter} maps an inside socket to outside ports (RFC 4787 terms). Both
 * kinds filter address-and-port-dependently: conntrack lets in only replies to flows the
 * inside started.
 */
public enum NatType {
    /**
     * Endpoint-independent mapping ("port-restricted cone"): nft {@code masquerade
     * persistent}, no port randomisation. The port comes from masquerade's default
     * behaviour, which keeps the inside source port whenever the resulting tuple is unique,
     * so one inside socket appears on the same outside port towards every destination;
     * {@code persistent} only pins the outside address (one here anyway). Two inside hosts using the same source port towards the
     * same destination would get different ports; tests don't do that.
     */
    ENDPOINT_INDEPENDENT("masquerade persistent"),

    /**
     * Address-and-port-dependent mapping ("symmetric"): nft {@code masquerade
     * fully-random}, so each new 5-tuple gets a fresh random outside port. (Plain
     * {@code masquerade random} is not enough: on this kernel it gave one inside socket the
     * same, randomised, port towards two destinations.)
     */
    SYMMETRIC("masquerade fully-random");

    private final String nftStatement;

    NatType(String nftStatement) {
        this.nftStatement = nftStatement;
    }

    /** The nft statement that implements this mapping on the outside interface. */
    public String nftStatement() {
        return nftStatement;
    }
}
