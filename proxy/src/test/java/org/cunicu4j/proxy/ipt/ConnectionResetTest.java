package org.cunicu4j.proxy.ipt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Which tracked connections IptablesProxy deletes: those that would carry WireGuard's packets around the ICE port. */
class ConnectionResetTest {
    private static final int WG = 51820;
    private static final int ICE = 40000;
    private static final int OLD_ICE = 39000;
    private static final InetSocketAddress REMOTE = new InetSocketAddress("198.18.2.1", 3333);
    private static final InetSocketAddress OTHER = new InetSocketAddress("198.18.2.1", 4444);

    private static Conntrack.Flow flow(String os, int osp, InetSocketAddress od, InetSocketAddress rs, String rd, int rdp) {
        return new Conntrack.Flow(2, new InetSocketAddress(os, osp), od, rs, new InetSocketAddress(rd, rdp), new byte[0]);
    }

    private static Conntrack.Flow outbound(InetSocketAddress to, int translatedTo) {
        return flow("10.1.0.2", WG, to, to, "10.1.0.2", translatedTo);
    }

    private static Conntrack.Flow inbound(InetSocketAddress from, int arrivedAt, int deliveredTo) {
        return new Conntrack.Flow(2, from, new InetSocketAddress("10.1.0.2", arrivedAt),
                new InetSocketAddress("10.1.0.2", deliveredTo), from, new byte[0]);
    }

    @Test
    void aSelectedPairResetsWhatBypassesItsIcePortOnly() {
        assertThat(IptablesProxy.bypasses(outbound(REMOTE, WG), REMOTE, WG, ICE)).as("tracked before the rule").isTrue();
        assertThat(IptablesProxy.bypasses(outbound(REMOTE, OLD_ICE), REMOTE, WG, ICE)).as("an earlier run's port").isTrue();
        assertThat(IptablesProxy.bypasses(outbound(REMOTE, ICE), REMOTE, WG, ICE)).as("translated by the rule").isFalse();
        assertThat(IptablesProxy.bypasses(outbound(OTHER, WG), REMOTE, WG, ICE)).as("another remote").isFalse();
        assertThat(IptablesProxy.bypasses(inbound(REMOTE, WG, WG), REMOTE, WG, ICE)).as("sent to WireGuard's port directly").isTrue();
        assertThat(IptablesProxy.bypasses(inbound(REMOTE, OLD_ICE, WG), REMOTE, WG, ICE)).as("redirected from an earlier run's port").isTrue();
        assertThat(IptablesProxy.bypasses(inbound(REMOTE, ICE, WG), REMOTE, WG, ICE)).as("redirected by the rule").isFalse();
        assertThat(IptablesProxy.bypasses(inbound(OTHER, WG, WG), REMOTE, WG, ICE)).isFalse();
    }

    @Test
    void aResetOfAnIcePortDeletesOurTranslationsOnly() {
        assertThat(IptablesProxy.ours(outbound(REMOTE, ICE), ICE, WG)).as("WireGuard's packets leaving from the ICE port").isTrue();
        assertThat(IptablesProxy.ours(inbound(REMOTE, ICE, WG), ICE, WG)).as("redirected from the ICE port").isTrue();
        assertThat(IptablesProxy.ours(outbound(REMOTE, OLD_ICE), OLD_ICE, WG)).as("an earlier run's").isTrue();
        assertThat(IptablesProxy.ours(outbound(REMOTE, OLD_ICE), ICE, WG)).as("another ICE port's").isFalse();
        assertThat(IptablesProxy.ours(inbound(REMOTE, ICE, WG), ICE, 51821)).as("towards another WireGuard port").isFalse();
        assertThat(IptablesProxy.ours(outbound(REMOTE, WG), ICE, WG)).as("untranslated").isFalse();
        assertThat(IptablesProxy.ours(inbound(REMOTE, WG, WG), ICE, WG)).isFalse();
    }

    @Test
    void foreignFlowsWithTheSamePortNumbersSurviveEveryReset() {
        // a DNAT port forward of this router: 198.18.0.5:7000 -> public :8080 -> LAN host 10.1.0.5:51820
        Conntrack.Flow portForward = new Conntrack.Flow(2, new InetSocketAddress("198.18.0.5", 7000), new InetSocketAddress("198.18.1.1", 8080),
                new InetSocketAddress("10.1.0.5", WG), new InetSocketAddress("198.18.0.5", 7000), new byte[0]);
        // a LAN host's WireGuard (port 51820) masqueraded to another port
        Conntrack.Flow masqueraded = flow("10.1.0.5", WG, REMOTE, REMOTE, "198.18.1.1", 61000);
        // a LAN host's flow to a server port numbered like the ICE port, and a local app's
        Conntrack.Flow toIcePortNumber = flow("10.1.0.5", 5555, new InetSocketAddress("198.18.0.10", ICE),
                new InetSocketAddress("198.18.0.10", ICE), "198.18.1.1", 5555);
        Conntrack.Flow localApp = flow("10.1.0.2", 6666, new InetSocketAddress("198.18.0.10", ICE),
                new InetSocketAddress("198.18.0.10", ICE), "10.1.0.2", 6666);
        // something sent to this host's ICE port number that a rule did not redirect (another socket there before us)
        Conntrack.Flow notRedirected = inbound(OTHER, ICE, ICE);
        for (Conntrack.Flow f : java.util.List.of(portForward, masqueraded, toIcePortNumber, localApp, notRedirected)) {
            assertThat(IptablesProxy.ours(f, ICE, WG)).as("%s at a reset of ICE port %d / WireGuard %d", f, ICE, WG).isFalse();
            assertThat(IptablesProxy.ours(f, OLD_ICE, WG)).as("%s at open after a crash", f).isFalse();
        }
        assertThat(IptablesProxy.bypasses(portForward, REMOTE, WG, ICE)).as("a pair selection").isFalse();
        assertThat(IptablesProxy.bypasses(masqueraded, REMOTE, WG, ICE)).as("a pair selection, another host's flow to the same remote").isFalse();
    }
}
