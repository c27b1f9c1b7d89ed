package org.cunicu4j.testlab;

/**
 * Ready-made topologies for the common cases, with fixed addresses:
 *
 * <pre>
 *   alice 10.1.0.2 ── natA 10.1.0.1 | 198.18.1.1 ─┐
 *                                                  ├─ internet 198.18.0.0/15 ── server 198.18.0.10
 *   bob 192.168.2.2 ── natB 192.168.2.1 | 198.18.2.1 ┘
 * </pre>
 */
public final class Topology {
    public static final String SERVER_IP = "198.18.0.10";
    public static final String NAT_A_OUTSIDE_IP = "198.18.1.1";
    public static final String NAT_B_OUTSIDE_IP = "198.18.2.1";
    public static final String ALICE_IP = "10.1.0.2";
    public static final String BOB_IP = "192.168.2.2";

    private Topology() {}

    /** Builds the two-NAT topology above in {@code lab}, with NAT A of type {@code a} and NAT B of type {@code b}. */
    public static TwoNats twoNats(Lab lab, NatType a, NatType b) {
        Switch internet = lab.internet();
        Host server = lab.publicHost("server", SERVER_IP + "/15");
        NatRouter natA = lab.natRouter("nata", a, "10.1.0.1/24", NAT_A_OUTSIDE_IP + "/15", internet);
        Host alice = natA.privateHost("alice", ALICE_IP + "/24");
        NatRouter natB = lab.natRouter("natb", b, "192.168.2.1/24", NAT_B_OUTSIDE_IP + "/15", internet);
        Host bob = natB.privateHost("bob", BOB_IP + "/24");
        return new TwoNats(internet, server, natA, alice, natB, bob);
    }
}
