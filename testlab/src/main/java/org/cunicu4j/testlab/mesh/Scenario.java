package org.cunicu4j.testlab.mesh;

import java.util.List;
import org.cunicu4j.testlab.NatType;

/**
 * The network a {@link MeshLab} builds for its three peers (alice, bob, carol), with a
 * {@code server} host on the public internet (198.18.0.10) running the signaling server and
 * coturn. Behind NATs the peers sit on private LANs of different ranges: alice 10.1.0.2
 * (router 198.18.1.1), bob 192.168.2.2 (198.18.2.1), carol 172.16.3.2 (198.18.3.1).
 */
public enum Scenario {
    /** Three peers on one switch with the server (198.18.0.2, .3, .4): host pairs. */
    ONE_SWITCH(null, null, null, false),
    /** Each peer behind its own endpoint-independent NAT: server-reflexive pairs. */
    EI_NATS(NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT, false),
    /** Each peer behind its own symmetric NAT: every pair relays through coturn. */
    SYMMETRIC_NATS(NatType.SYMMETRIC, NatType.SYMMETRIC, NatType.SYMMETRIC, false),
    /**
     * Each peer behind an endpoint-independent NAT, but every router drops UDP to and from
     * the other routers (nft, {@code PathBlock.udp}): only the server is reachable, every
     * pair relays.
     */
    UDP_BLOCKED(NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT, true),
    /**
     * The demo: alice and bob behind different endpoint-independent NATs, carol behind a
     * symmetric NAT, so alice ↔ bob connect directly and the pairs with carol relay.
     */
    DEMO(NatType.ENDPOINT_INDEPENDENT, NatType.ENDPOINT_INDEPENDENT, NatType.SYMMETRIC, false);

    private final NatType[] nats;
    private final boolean udpBlocked;

    Scenario(NatType a, NatType b, NatType c, boolean udpBlocked) {
        this.nats = new NatType[] {a, b, c};
        this.udpBlocked = udpBlocked;
    }

    /** The NAT in front of peer {@code i} (0 alice, 1 bob, 2 carol), or null on the public switch. */
    public NatType natOf(int i) {
        return nats[i];
    }

    /** True when the routers drop UDP between the peers' networks. */
    public boolean udpBlocked() {
        return udpBlocked;
    }

    /** True when the peers sit on one switch, without NATs. */
    public boolean oneSwitch() {
        return nats[0] == null;
    }

    /**
     * True when peers {@code i} and {@code j} can only meet through the TURN relay: UDP is
     * blocked, or one of them is behind a symmetric NAT and the other behind any NAT.
     */
    public boolean relayExpected(int i, int j) {
        if (oneSwitch()) {
            return false;
        }
        return udpBlocked || nats[i] == NatType.SYMMETRIC || nats[j] == NatType.SYMMETRIC;
    }

    /** The NAT types, in peer order (nulls for none). */
    public List<NatType> nats() {
        return java.util.Arrays.asList(nats.clone());
    }
}
