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
    void atOpenEveryTranslationOfWireGuardsPortIsReset() {
        assertThat(IptablesProxy.translated(outbound(REMOTE, OLD_ICE), WG)).isTrue();
        assertThat(IptablesProxy.translated(inbound(REMOTE, OLD_ICE, WG), WG)).isTrue();
        assertThat(IptablesProxy.translated(outbound(REMOTE, WG), WG)).as("untranslated").isFalse();
        assertThat(IptablesProxy.translated(inbound(REMOTE, WG, WG), WG)).isFalse();
        assertThat(IptablesProxy.translated(inbound(REMOTE, 5000, 5000), WG)).as("another socket's").isFalse();
    }
}
