package org.cunicu4j.testlab;

import java.time.Duration;

/**
 * Topologies for peer-to-peer tests beyond {@link Topology#twoNats}, with fixed addresses:
 *
 * <pre>
 *   oneLan:     alice 10.0.0.2/24 ── lan ── bob 10.0.0.3/24
 *   oneLanIpv6: alice fd00:c4::2/64 ── lan ── bob fd00:c4::3/64   (no IPv4 but loopback)
 * </pre>
 *
 * Blocking paths (UDP between the peers, everything for a while) is {@link PathBlock}'s job.
 */
public final class PeerTopologies {
    public static final String LAN_ALICE_IP = "10.0.0.2";
    public static final String LAN_BOB_IP = "10.0.0.3";
    public static final String LAN6_ALICE_IP = "fd00:c4::2";
    public static final String LAN6_BOB_IP = "fd00:c4::3";

    private PeerTopologies() {}

    /** Two hosts on one IPv4 LAN. */
    public static OneLan oneLan(Lab lab) {
        Switch lan = lab.switchNamed("lan");
        Host alice = lab.host("alice");
        lab.attach(alice, lan, LAN_ALICE_IP + "/24");
        Host bob = lab.host("bob");
        lab.attach(bob, lan, LAN_BOB_IP + "/24");
        return new OneLan(lan, alice, bob);
    }

    /**
     * Two hosts on one IPv6-only LAN: unique local addresses (added without duplicate address
     * detection), and no IPv4 address. Returns once both ULAs are usable (not tentative) and
     * alice can reach bob; the kernel's link-local addresses come and go as they like.
     */
    public static OneLan oneLanIpv6(Lab lab) {
        Switch lan = lab.switchNamed("lan6");
        Host alice = lab.host("alice");
        lab.attach(alice, lan, LAN6_ALICE_IP + "/64");
        Host bob = lab.host("bob");
        lab.attach(bob, lan, LAN6_BOB_IP + "/64");
        for (Host h : new Host[] {alice, bob}) {
            Waiter.until("no tentative IPv6 address in " + h, Duration.ofSeconds(5),
                    () -> h.exec("ip", "-6", "addr", "show", "tentative").stdout().isBlank());
        }
        Waiter.until("alice reaches bob over IPv6", Duration.ofSeconds(5),
                () -> alice.exec("ping", "-6", "-c", "1", "-W", "1", LAN6_BOB_IP).ok());
        return new OneLan(lan, alice, bob);
    }
}
