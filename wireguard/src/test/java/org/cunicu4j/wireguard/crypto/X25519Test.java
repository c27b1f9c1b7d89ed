package org.cunicu4j.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 7748 §5.2 and §6.1 through the JDK's XDH. */
class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    private static String x(String k, String u) {
        return HEX.formatHex(X25519.sharedSecret(HEX.parseHex(k), HEX.parseHex(u)));
    }

    @Test
    void rfc7748Section52Vector1() {
        assertThat(x("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    }

    /** The u-coordinate's top bit is set here and must be ignored. */
    @Test
    void rfc7748Section52Vector2() {
        assertThat(x("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))
                .isEqualTo("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
    }

    @Test
    void rfc7748Section61SharedSecretBothWays() {
        String alice = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
        String alicePub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
        String bob = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
        String bobPub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(x(alice, bobPub)).isEqualTo(shared);
        assertThat(x(bob, alicePub)).isEqualTo(shared);
    }

    /** A low-order point (u = 0) gives the all-zero secret, which WireGuard refuses: null. */
    @Test
    void lowOrderPointIsRefused() {
        assertThat(X25519.sharedSecret(HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), new byte[32]))
                .isNull();
    }
}
