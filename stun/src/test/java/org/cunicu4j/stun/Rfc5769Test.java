package org.cunicu4j.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of RFC 5769 (Copyright (c) 2010 IETF Trust and the persons identified
 * as the document authors; Simplified BSD License): parse, integrity, fingerprint, and
 * rebuilding. Vectors 2.1 to 2.3 pad SOFTWARE and USERNAME with spaces (0x20), which RFC
 * 5389 allowed; our builder pads with zeros, so those rebuilds compare everything but
 * the padding, and 2.4 (zero padding) is rebuilt byte for byte.
 */
class Rfc5769Test {
    static final byte[] SAMPLE_REQUEST = hex("""
            00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
            00 24 00 04 6e 00 01 ff
            80 29 00 08 93 2f f9 b1 51 26 3b 36
            00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
            00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
            80 28 00 04 e5 7a 3b cf""");
    static final byte[] IPV4_RESPONSE = hex("""
            01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 08 00 01 a1 47 e1 12 a6 43
            00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
            80 28 00 04 c0 7d 4c 96""");
    static final byte[] IPV6_RESPONSE = hex("""
            01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
            00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
            80 28 00 04 c8 fb 0b 4c""");
    static final byte[] LONG_TERM_REQUEST = hex("""
            00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
            00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
            00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
            00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
            00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66""");

    static final String SHORT_TERM_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
    static final TransactionId TID = TransactionId.fromHex("b7e7a701bc34d686fa87dfae");
    /** U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9. */
    static final String LONG_TERM_USERNAME = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    /** "The" SOFT-HYPHEN "M" FEMININE-ORDINAL "tr" ROMAN-NUMERAL-NINE: SASLprep gives "TheMatrIX". */
    static final String LONG_TERM_PASSWORD = "The\u00ADM\u00AAtr\u2168";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    @Test
    void sampleRequest() throws Exception {
        StunMessage m = StunMessage.parse(SAMPLE_REQUEST);
        assertThat(m.type()).isEqualTo(MessageType.BINDING_REQUEST);
        assertThat(m.transactionId()).isEqualTo(TID);
        assertThat(m.software()).contains("STUN test client");
        assertThat(m.priority()).hasValue(0x6e0001ffL);
        assertThat(m.iceControlled()).hasValue(0x932ff9b151263b36L);
        assertThat(m.username()).contains("evtj:h6vY");
        assertThat(m.hasUnknownComprehensionRequired()).isFalse();
        byte[] key = StunCredentials.shortTermKey(SHORT_TERM_PASSWORD);
        assertThat(m.verifyMessageIntegrity(key)).isTrue();
        assertThat(m.verifyIntegrity(key)).isTrue();
        assertThat(m.verifyMessageIntegrity(StunCredentials.shortTermKey("VOkJxbRl1RmTxUk/WvJxBT"))).isFalse();
        assertThat(m.verifyFingerprint()).isTrue();
    }

    @Test
    void sampleRequestRebuilt() throws Exception {
        byte[] key = StunCredentials.shortTermKey(SHORT_TERM_PASSWORD);
        byte[] rebuilt = StunMessage.builder(MessageType.BINDING_REQUEST, TID)
                .software("STUN test client").priority(0x6e0001ffL).iceControlled(0x932ff9b151263b36L)
                .username("evtj:h6vY").messageIntegrity(key).fingerprint().build();
        assertThat(rebuilt).hasSameSizeAs(SAMPLE_REQUEST);
        // identical up to USERNAME's padding (zeros here, spaces in the vector)
        int usernamePadding = 20 + 20 + 8 + 12 + 4 + 9;
        assertThat(ByteBuffer.wrap(rebuilt, 0, usernamePadding))
                .isEqualTo(ByteBuffer.wrap(SAMPLE_REQUEST, 0, usernamePadding));
        assertThat(rebuilt[usernamePadding]).isZero();
        StunMessage m = StunMessage.parse(rebuilt);
        assertThat(m.verifyMessageIntegrity(key)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();
        assertThat(m.attributeTypes()).isEqualTo(StunMessage.parse(SAMPLE_REQUEST).attributeTypes());
    }

    @Test
    void ipv4Response() throws Exception {
        StunMessage m = StunMessage.parse(IPV4_RESPONSE);
        assertThat(m.type()).isEqualTo(MessageType.BINDING_SUCCESS);
        assertThat(m.transactionId()).isEqualTo(TID);
        assertThat(m.software()).contains("test vector");
        assertThat(m.xorMappedAddress()).contains(new InetSocketAddress("192.0.2.1", 32853));
        assertThat(m.verifyMessageIntegrity(StunCredentials.shortTermKey(SHORT_TERM_PASSWORD))).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();
        rebuildResponse(m, IPV4_RESPONSE);
    }

    @Test
    void ipv6Response() throws Exception {
        StunMessage m = StunMessage.parse(IPV6_RESPONSE);
        assertThat(m.type()).isEqualTo(MessageType.BINDING_SUCCESS);
        assertThat(m.xorMappedAddress())
                .contains(new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853));
        assertThat(m.verifyMessageIntegrity(StunCredentials.shortTermKey(SHORT_TERM_PASSWORD))).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();
        rebuildResponse(m, IPV6_RESPONSE);
    }

    /** Rebuilds a response: the XOR-MAPPED-ADDRESS bytes are identical; integrity and fingerprint verify. */
    private static void rebuildResponse(StunMessage m, byte[] vector) throws Exception {
        byte[] key = StunCredentials.shortTermKey(SHORT_TERM_PASSWORD);
        byte[] rebuilt = StunMessage.builder(MessageType.BINDING_SUCCESS, TID).software("test vector")
                .xorMappedAddress(m.xorMappedAddress().orElseThrow()).messageIntegrity(key).fingerprint().build();
        assertThat(rebuilt).hasSameSizeAs(vector);
        int xma = 20 + 16;
        int xmaLen = 4 + (vector.length == IPV4_RESPONSE.length ? 8 : 20);
        assertThat(ByteBuffer.wrap(rebuilt, xma, xmaLen)).isEqualTo(ByteBuffer.wrap(vector, xma, xmaLen));
        assertThat(ByteBuffer.wrap(rebuilt, 0, 20 + 4 + 11)).isEqualTo(ByteBuffer.wrap(vector, 0, 20 + 4 + 11));
        StunMessage again = StunMessage.parse(rebuilt);
        assertThat(again.verifyMessageIntegrity(key)).isTrue();
        assertThat(again.verifyFingerprint()).isTrue();
        assertThat(again.xorMappedAddress()).isEqualTo(m.xorMappedAddress());
    }

    @Test
    void longTermRequest() throws Exception {
        StunMessage m = StunMessage.parse(LONG_TERM_REQUEST);
        assertThat(m.type()).isEqualTo(MessageType.BINDING_REQUEST);
        assertThat(m.transactionId()).isEqualTo(TransactionId.fromHex("78ad3433c6ad72c029da412e"));
        assertThat(m.username()).contains(LONG_TERM_USERNAME);
        assertThat(m.nonce()).contains("f//499k954d6OL34oL9FSTvy64sA");
        assertThat(m.realm()).contains("example.org");
        assertThat(m.hasFingerprint()).isFalse();
        assertThat(m.verifyFingerprint()).isFalse();

        assertThat(StringPrep.saslPrep(LONG_TERM_PASSWORD)).isEqualTo("TheMatrIX");
        assertThat(StringPrep.saslPrep(LONG_TERM_USERNAME)).isEqualTo(LONG_TERM_USERNAME);
        byte[] key = StunCredentials.longTermKeyPrepared(StringPrep.saslPrep(LONG_TERM_USERNAME), "example.org",
                StringPrep.saslPrep(LONG_TERM_PASSWORD), PasswordAlgorithm.MD5);
        assertThat(key).isEqualTo(StunCredentials.longTermKey(LONG_TERM_USERNAME, "example.org", "TheMatrIX"));
        assertThat(m.verifyMessageIntegrity(key)).isTrue();
        assertThat(m.verifyMessageIntegrity(StunCredentials.longTermKey(LONG_TERM_USERNAME, "example.org",
                "TheMatrix"))).isFalse();
        // OpaqueString (RFC 8489) keeps the soft hyphen and the compatibility characters
        assertThat(m.verifyMessageIntegrity(StunCredentials.longTermKey(LONG_TERM_USERNAME, "example.org",
                LONG_TERM_PASSWORD))).isFalse();

        byte[] rebuilt = StunMessage.builder(MessageType.BINDING_REQUEST, m.transactionId())
                .username(LONG_TERM_USERNAME).nonce("f//499k954d6OL34oL9FSTvy64sA").realm("example.org")
                .messageIntegrity(key).build();
        assertThat(rebuilt).isEqualTo(LONG_TERM_REQUEST);
        assertThat(new String(rebuilt, 24, 18, StandardCharsets.UTF_8)).isEqualTo(LONG_TERM_USERNAME);
    }
}
