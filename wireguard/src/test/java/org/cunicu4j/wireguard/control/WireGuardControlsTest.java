package org.cunicu4j.wireguard.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.cunicu4j.testlab.Lab;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.cunicu4j.testlab.WireguardGo;
import org.cunicu4j.wireguard.netlink.NetlinkWireGuardControl;
import org.cunicu4j.wireguard.uapi.UapiClient;
import org.junit.jupiter.api.Test;

@RequiresRoot
@RequiresTools({"ip", "wireguard-go"})
class WireGuardControlsTest {

    @Test
    void opensTheUapiSocketWhenThereIsOne() throws Exception {
        try (Lab lab = Lab.open()) {
            WireguardGo wg = WireguardGo.start(lab.host("a"));
            try (WireGuardControl c = WireGuardControls.open(wg.interfaceName())) {
                assertThat(c).isInstanceOf(UapiClient.class);
                assertThat(c.name()).isEqualTo(wg.interfaceName());
                assertThat(c.status().peers()).isEmpty();
            }
        }
    }

    @Test
    void namesBothWaysWhenNeitherIsThere() throws Exception {
        String ifname = WireguardGo.newInterfaceName();
        String expected = NetlinkWireGuardControl.available()
                ? "the kernel's wireguard netlink family says: WG_CMD_GET_DEVICE(" + ifname + "): ENODEV"
                : "and " + NetlinkWireGuardControl.NO_FAMILY;
        assertThatThrownBy(() -> WireGuardControls.open(ifname)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("no WireGuard device " + ifname + ": no UAPI socket /var/run/wireguard/" + ifname + ".sock, ")
                .hasMessageContaining(expected);
    }
}
