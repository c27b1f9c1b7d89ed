package org.cunicu4j.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.daemon.DaemonTests.peer;

import java.nio.file.Path;
import java.time.Duration;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.OneLan;
import org.cunicu4j.testlab.PeerTopologies;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons in one JVM, each inside its own namespace on one switch, our userspace
 * devices (BindProxy), signaling through an in-process hub: they connect, ping through the
 * tunnel, follow {@code wg set ... remove}, refuse a second daemon on the interface and
 * remove their interfaces on shutdown.
 */
@RequiresRoot
@RequiresTools({"ip", "ping", "wg"})
class DaemonTwoNodeTest {
    private static final Duration CONNECT = Duration.ofSeconds(30);


    @TempDir
    Path dir;

    private final long pid = ProcessHandle.current().pid();

    private Path config(String name, String ifname, Key key, String address, Key peer, String peerAllowed) throws Exception {
        String yaml = """
                backends:
                - inprocess:daemon-test-%d
                watch_interval: 200ms
                rpc:
                  socket: %s
                interfaces:
                  %s:
                    userspace: true
                    private_key: %s
                    addresses:
                    - %s
                    peers:
                      other:
                        public_key: %s
                        allowed_ips:
                        - %s
                """.formatted(pid, dir.resolve(name + ".sock"), ifname, key.toBase64(), address, peer.toBase64(), peerAllowed);
        return DaemonTests.writeConfig(dir, name, yaml);
    }

    private static boolean connected(Daemon d, String ifname, Key peer) {
        PeerSessionStatus p = peer(d, ifname, peer);
        return p != null && p.state() == ConnectionState.CONNECTED;
    }

    @Test
    void twoNodesConnectPingFollowRemovalAndCleanUp() throws Exception {
        Key ka = Key.generatePrivate();
        Key kb = Key.generatePrivate();
        String ifA = "wgd" + pid + "a";
        String ifB = "wgd" + pid + "b";
        Path locks = dir.resolve("locks");
        try (Lab lab = Lab.open()) {
            OneLan lan = PeerTopologies.oneLan(lab);
            Path fa = config("a", ifA, ka, "10.99.0.1/24", kb.publicKey(), "10.99.0.2/32");
            Path fb = config("b", ifB, kb, "10.99.0.2/24", ka.publicKey(), "10.99.0.1/32");
            try (Daemon a = DaemonTests.start(lan.alice(), fa, locks); Daemon b = DaemonTests.start(lan.bob(), fb, locks)) {
                assertThat(a.interfaceNames()).containsExactly(ifA);
                InterfaceStatus sa = a.status().interfaces().getFirst();
                assertThat(sa.device()).isEqualTo("cunicu4j");
                assertThat(sa.publicKey()).isEqualTo(ka.publicKey());
                assertThat(sa.proxyMode().configName()).isEqualTo("bind");

                Waiter.until("both daemons report CONNECTED", CONNECT,
                        () -> connected(a, ifA, kb.publicKey()) && connected(b, ifB, ka.publicKey()));
                lan.alice().run("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.99.0.2");
                PeerSessionStatus pa = peer(a, ifA, kb.publicKey());
                assertThat(pa.selectedPair()).isNotNull();
                assertThat(pa.rxBytes()).isPositive();
                assertThat(pa.lastHandshake()).isNotNull();

                // a second daemon on the same interface is refused
                assertThatThrownBy(() -> DaemonTests.start(lan.alice(), fa, locks, "rpc.socket=" + dir.resolve("a2.sock")))
                        .hasMessageContaining("interface " + ifA + " is already managed by cunicu4j daemon pid " + pid);

                // a peer removed with wg goes away from status
                lan.alice().run("wg", "set", ifA, "peer", kb.publicKey().toBase64(), "remove");
                Waiter.until("the removed peer leaves the status", Duration.ofSeconds(10),
                        () -> peer(a, ifA, kb.publicKey()) == null);
            }
            // shutdown removed our interfaces and the lock files
            assertThat(lan.alice().run("ip", "link", "show").stdout()).doesNotContain(ifA);
            assertThat(lan.bob().run("ip", "link", "show").stdout()).doesNotContain(ifB);
            assertThat(locks.resolve(ifA + ".lock")).doesNotExist();
        }
    }
}
