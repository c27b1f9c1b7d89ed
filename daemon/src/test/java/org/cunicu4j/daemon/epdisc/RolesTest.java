package org.cunicu4j.daemon.epdisc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.cunicu4j.ice.IceRole;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

class RolesTest {

    private static Key key(int first, int last) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) 0x11);
        b[0] = (byte) first;
        b[31] = (byte) last;
        return Key.of(b, Key.Type.PUBLIC);
    }

    @Test
    void theLargerKeyIsControlled() {
        Key small = key(0x01, 0xFF);
        Key large = key(0x02, 0x00);
        assertThat(Roles.roleOf(large, small)).isEqualTo(IceRole.CONTROLLED);
        assertThat(Roles.roleOf(small, large)).isEqualTo(IceRole.CONTROLLING);
    }

    @Test
    void bytesCompareUnsignedAndBigEndian() {
        Key high = key(0x80, 0x00); // negative as a signed byte
        Key low = key(0x7F, 0xFF);
        assertThat(Roles.roleOf(high, low)).isEqualTo(IceRole.CONTROLLED);
        assertThat(Roles.roleOf(low, high)).isEqualTo(IceRole.CONTROLLING);
        Key lastByteOnly = key(0x11, 0x81);
        Key lastByteLower = key(0x11, 0x01);
        assertThat(Roles.roleOf(lastByteOnly, lastByteLower)).isEqualTo(IceRole.CONTROLLED);
    }

    @Test
    void generatedKeysGiveOppositeRoles() {
        for (int i = 0; i < 20; i++) {
            Key a = Key.generatePrivate().publicKey();
            Key b = Key.generatePrivate().publicKey();
            assertThat(Roles.roleOf(a, b)).isEqualTo(Roles.roleOf(b, a).opposite());
        }
    }

    @Test
    void equalOrPrivateKeysAreRefused() {
        Key k = key(1, 1);
        assertThatThrownBy(() -> Roles.roleOf(k, k)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same");
        Key priv = Key.generatePrivate();
        assertThatThrownBy(() -> Roles.roleOf(priv, k)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public");
    }
}
