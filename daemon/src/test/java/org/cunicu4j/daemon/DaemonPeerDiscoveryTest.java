package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cunicu4j.daemon.DaemonTests.iface;
import static org.cunicu4j.daemon.DaemonTests.peer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.autocfg.DerivedAddresses;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.testlab.Host;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daemons configured with only a community (no keys, no peers) over the in-process signaling
 * backend: each one's members become its WireGuard peers with their derived addresses in the
 * allowed IPs and their advertised names in the status; a blacklisted key is not added; a
 * daemon that stops is removed from the others.
 */
@RequiresRoot
@RequiresTools({"ip", "wg"})
class DaemonPeerDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final long pid = ProcessHandle.current().pid();

    private Path config(String name, String ifname, String extra) throws Exception {
        return DaemonTests.writeConfig(dir, name, """
                backends: [inprocess:pdisc-%d]
                watch_interval: 200ms
                rpc: {socket: %s}
                community: "a passphrase only we know"
                hostname: %s
                %s
                interfaces:
                  %s: {}
                """.formatted(pid, dir.resolve(name + ".sock"), name, extra, ifname));
    }

    @Test
    void membersBecomePeersWithDerivedAddressesAndNamesTheBlacklistedNeverAndLeaversGo() throws Exception {
        String ifA = "wgp" + pid + "a";
        String ifB = "wgp" + pid + "b";
        String ifC = "wgp" + pid + "c";
        Key kc = Key.generatePrivate();
        Path locks = dir.resolve("locks");
        Path fa = config("alpha", ifA, "blacklist: [" + kc.publicKey().toBase64() + "]");
        Path fb = config("bravo", ifB, "");
        Path fc = config("charlie", ifC, "private_key: " + kc.toBase64());
        try (Lab lab = Lab.open()) {
            Host ha = lab.host("a");
            Host hb = lab.host("b");
            Host hc = lab.host("c");
            try (Daemon a = DaemonTests.start(ha, fa, locks); Daemon c = DaemonTests.start(hc, fc, locks)) {
                Key pa = iface(a, ifA).publicKey();
                Key pc = iface(c, ifC).publicKey();
                assertThat(pc).isEqualTo(kc.publicKey());
                Key pb;
                try (Daemon b = DaemonTests.start(hb, fb, locks)) {
                    pb = iface(b, ifB).publicKey();
                    Waiter.until("alpha and bravo know each other", WAIT,
                            () -> peer(a, ifA, pb) != null && peer(b, ifB, pa) != null);
                    Waiter.until("charlie knows alpha and bravo", WAIT,
                            () -> peer(c, ifC, pa) != null && peer(c, ifC, pb) != null);

                    PeerSessionStatus bOnA = peer(a, ifA, pb);
                    assertThat(bOnA.name()).isEqualTo("bravo");
                    assertThat(peer(b, ifB, pa).name()).isEqualTo("alpha");
                    assertThat(peer(c, ifC, pa).name()).isEqualTo("alpha");
                    List<IpPrefix> derivedB = DerivedAddresses.hostPrefixes(pb, DerivedAddresses.DEFAULT_PREFIXES);
                    Waiter.until("bravo's derived addresses in its allowed IPs on alpha", WAIT,
                            () -> allowedIps(ha, ifA, pb).containsAll(derivedB));
                    assertThat(allowedIps(hb, ifB, pa))
                            .containsAll(DerivedAddresses.hostPrefixes(pa, DerivedAddresses.DEFAULT_PREFIXES));

                    // charlie announced itself to alpha as well (bravo and charlie both have it): alpha blacklists it
                    Waiter.until("bravo knows charlie", WAIT, () -> peer(b, ifB, pc) != null);
                    assertThat(peer(a, ifA, pc)).as("the blacklisted key on alpha").isNull();
                    assertThat(ha.run("wg", "show", ifA, "peers").stdout()).doesNotContain(pc.toBase64());
                }
                Waiter.until("bravo, gone, is removed from alpha and charlie", WAIT,
                        () -> peer(a, ifA, pb) == null && peer(c, ifC, pb) == null);
                assertThat(ha.run("wg", "show", ifA, "peers").stdout()).doesNotContain(pb.toBase64());
                assertThat(peer(c, ifC, pa)).as("the others stay").isNotNull();
            }
        }
    }

    private static List<IpPrefix> allowedIps(Host h, String ifname, Key peer) {
        List<IpPrefix> out = new ArrayList<>();
        for (String line : h.run("wg", "show", ifname, "dump").stdout().split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 4 && f[0].equals(peer.toBase64()) && !f[3].equals("(none)")) {
                for (String x : f[3].split(",")) {
                    out.add(IpPrefix.parse(x));
                }
            }
        }
        return out;
    }
}
