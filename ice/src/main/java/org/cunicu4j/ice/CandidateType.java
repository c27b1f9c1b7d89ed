package org.cunicu4j.ice;

/** The four candidate types of RFC 8445 §5.1.1 with their recommended type preferences (§5.1.2.2). */
public enum CandidateType {
    HOST("host", 126),
    PEER_REFLEXIVE("prflx", 110),
    SERVER_REFLEXIVE("srflx", 100),
    RELAY("relay", 0);

    private final String sdpName;
    private final int typePreference;

    CandidateType(String sdpName, int typePreference) {
        this.sdpName = sdpName;
        this.typePreference = typePreference;
    }

    /** The name in an SDP {@code a=candidate} line: host, prflx, srflx, relay. */
    public String sdpName() {
        return sdpName;
    }

    /** 0..126, higher is preferred. */
    public int typePreference() {
        return typePreference;
    }
}
