package org.cunicu4j.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class StunMessageTest {
    static final TransactionId TID = TransactionId.fromHex("0102030405060708090a0b0c");
    static final InetSocketAddress V4 = new InetSocketAddress("203.0.113.7", 40000);
    static final InetSocketAddress V6 = new InetSocketAddress("2001:db8::1:2", 65535);

    @Test
    void messageTypesEncodeAsRfc8489Says() {
        assertThat(MessageType.BINDING_REQUEST.encode()).isEqualTo(0x0001);
        assertThat(MessageType.BINDING_SUCCESS.encode()).isEqualTo(0x0101);
        assertThat(MessageType.BINDING_ERROR.encode()).isEqualTo(0x0111);
        assertThat(MessageType.BINDING_INDICATION.encode()).isEqualTo(0x0011);
        assertThat(MessageType.ALLOCATE_REQUEST.encode()).isEqualTo(0x0003);
        assertThat(MessageType.ALLOCATE_REQUEST.error().encode()).isEqualTo(0x0113);
        assertThat(MessageType.SEND_INDICATION.encode()).isEqualTo(0x0016);
        assertThat(MessageType.DATA_INDICATION.encode()).isEqualTo(0x0017);
        assertThat(MessageType.CHANNEL_BIND_REQUEST.success().encode()).isEqualTo(0x0109);
        assertThat(new MessageType(0xFFF, StunClass.ERROR_RESPONSE).encode()).isEqualTo(0x3FFF);
        for (int t = 0; t < 0x4000; t++) {
            assertThat(MessageType.decode(t).encode()).as("type 0x%04x", t).isEqualTo(t);
        }
        assertThat(MessageType.ALLOCATE_REQUEST.error()).hasToString("Allocate error response");
    }

    @Test
    void everyAttributeRoundTrips() throws Exception {
        byte[] bytes = StunMessage.builder(MessageType.ALLOCATE_REQUEST, TID)
                .mappedAddress(V4).xorMappedAddress(V6).username("user").userhash(new byte[32])
                .errorCode(438, "Stale Nonce").realm("realm").nonce("nonce")
                .passwordAlgorithms(List.of(PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5))
                .passwordAlgorithm(PasswordAlgorithm.SHA256).unknownAttributes(List.of(0x7777, 0x0033))
                .software("cunicu4j").alternateServer(V6).otherAddress(V4).responseOrigin(V6)
                .changeRequest(true, false).priority(0xFFFF_FFFFL).useCandidate()
                .iceControlled(-1L).iceControlling(42L).channelNumber(0x4001).lifetime(600)
                .xorPeerAddress(V4).xorPeerAddress(V6).data(new byte[] {1, 2, 3, 4, 5})
                .xorRelayedAddress(V4).requestedTransport(17).dontFragment().requestedAddressFamily(2)
                .build();
        StunMessage m = StunMessage.parse(bytes);
        assertThat(m.type()).isEqualTo(MessageType.ALLOCATE_REQUEST);
        assertThat(m.is(StunMethod.ALLOCATE, StunClass.REQUEST)).isTrue();
        assertThat(m.hasTransactionId(TID)).isTrue();
        assertThat(m.mappedAddress()).contains(V4);
        assertThat(m.xorMappedAddress()).contains(V6);
        assertThat(m.username()).contains("user");
        assertThat(m.userhash()).hasValueSatisfying(h -> assertThat(h).hasSize(32));
        assertThat(m.errorCode()).contains(new ErrorCode(438, "Stale Nonce"));
        assertThat(m.realm()).contains("realm");
        assertThat(m.nonce()).contains("nonce");
        assertThat(m.passwordAlgorithms()).containsExactly(PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5);
        assertThat(m.passwordAlgorithm()).contains(PasswordAlgorithm.SHA256);
        assertThat(m.unknownAttributes()).containsExactly(0x7777, 0x0033);
        assertThat(m.software()).contains("cunicu4j");
        assertThat(m.alternateServer()).contains(V6);
        assertThat(m.otherAddress()).contains(V4);
        assertThat(m.responseOrigin()).contains(V6);
        assertThat(m.changeRequest()).contains(new ChangeRequest(true, false));
        assertThat(m.priority()).hasValue(0xFFFF_FFFFL);
        assertThat(m.useCandidate()).isTrue();
        assertThat(m.iceControlled()).hasValue(-1L);
        assertThat(m.iceControlling()).hasValue(42L);
        assertThat(m.channelNumber()).hasValue(0x4001);
        assertThat(m.lifetime()).hasValue(600);
        assertThat(m.xorPeerAddresses()).containsExactly(V4, V6);
        assertThat(m.data()).hasValue(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        assertThat(m.xorRelayedAddress()).contains(V4);
        assertThat(m.requestedTransport()).hasValue(17);
        assertThat(m.dontFragment()).isTrue();
        assertThat(m.requestedAddressFamily()).hasValue(2);
        assertThat(m.hasUnknownComprehensionRequired()).isFalse();
        assertThat(m.length()).isEqualTo(bytes.length);
        assertThat(bytes.length % 4).isZero();
        assertThat(m.toString()).startsWith("Allocate request 0102030405060708090a0b0c [MAPPED-ADDRESS");
    }

    @Test
    void absentAttributesAreEmpty() throws Exception {
        StunMessage m = StunMessage.parse(StunMessage.builder(MessageType.BINDING_REQUEST, TID).build());
        assertThat(m.length()).isEqualTo(20);
        assertThat(m.attributeCount()).isZero();
        assertThat(m.xorMappedAddress()).isEmpty();
        assertThat(m.errorCode()).isEmpty();
        assertThat(m.priority()).isEmpty();
        assertThat(m.unknownAttributes()).isEmpty();
        assertThat(m.verifyIntegrity(new byte[] {1})).isFalse();
        assertThat(m.verifyFingerprint()).isFalse();
    }

    @Test
    void parsesWithoutCopyingAndLeavesTheBufferAlone() throws Exception {
        byte[] bytes = StunMessage.builder(MessageType.SEND_INDICATION, TID).xorPeerAddress(V4)
                .data(new byte[] {9, 8, 7}).build();
        ByteBuffer direct = ByteBuffer.allocateDirect(100).order(ByteOrder.LITTLE_ENDIAN);
        direct.position(10).put(bytes).flip().position(10);
        StunMessage m = StunMessage.parse(direct);
        assertThat(direct.position()).isEqualTo(10);
        assertThat(direct.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(m.xorPeerAddress()).contains(V4);
        ByteBuffer data = m.data().orElseThrow();
        assertThat(data.isReadOnly()).isTrue();
        assertThat(data.remaining()).isEqualTo(3);
        direct.put(10 + bytes.length - 4, (byte) 99); // the first DATA byte, in place
        assertThat(m.data().orElseThrow().get(0)).isEqualTo((byte) 99);
        StunMessage copy = m.copy();
        direct.put(10 + bytes.length - 4, (byte) 1);
        assertThat(copy.data().orElseThrow().get(0)).isEqualTo((byte) 99);
    }

    @Test
    void builderWritesIntoTheCallersBuffer() throws Exception {
        ByteBuffer dst = ByteBuffer.allocateDirect(200).order(ByteOrder.LITTLE_ENDIAN).position(7);
        StunMessageBuilder b = StunMessage.builder(MessageType.BINDING_REQUEST, TID, dst).software("x");
        assertThat(dst.position()).as("borrowed until finish").isEqualTo(7);
        int n = b.fingerprint().finish();
        assertThat(n).isEqualTo(20 + 8 + 8);
        assertThat(dst.position()).isEqualTo(7 + n);
        assertThat(dst.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(dst.get(7 + 4)).isEqualTo((byte) 0x21); // the cookie, big-endian
        StunMessage m = StunMessage.parse(dst.flip().position(7));
        assertThat(m.verifyFingerprint()).isTrue();
        assertThatThrownBy(() -> StunMessage.builder(MessageType.BINDING_REQUEST, TID, ByteBuffer.allocate(30))
                .software("too long for the buffer")).isInstanceOf(BufferOverflowException.class);
    }

    @Test
    void headerProblemsAreReported() {
        byte[] good = StunMessage.builder(MessageType.BINDING_REQUEST, TID).software("abc").build();
        assertParseError(new byte[19], "too short for a STUN header: 19 bytes");
        assertParseError(mutate(good, b -> b[0] |= (byte) 0x80), "first two bits must be 0");
        assertParseError(mutate(good, b -> b[3] = 7), "not a multiple of 4");
        assertParseError(mutate(good, b -> b[4] ^= 1), "magic cookie is 0x2012a442");
        assertParseError(mutate(good, b -> b[3] = 4), "message length 4 disagrees with the 8 bytes");
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 4);
        assertParseError(longer, "disagrees");
        assertParseError(mutate(good, b -> b[23] = 9), "attribute 0x8022 (SOFTWARE) at offset 20 has length 9, past the end");
    }

    @Test
    void malformedKnownValuesAreReported() {
        byte[] addr = StunMessage.builder(MessageType.BINDING_SUCCESS, TID).attribute(AttributeType.XOR_MAPPED_ADDRESS,
                new byte[] {0, 1, 0, 1}).build();
        assertParseError(addr, "XOR-MAPPED-ADDRESS) at offset 20 is IPv4 with length 4, expected 8");
        byte[] family = StunMessage.builder(MessageType.BINDING_SUCCESS, TID).attribute(AttributeType.MAPPED_ADDRESS,
                new byte[] {0, 3, 0, 1, 1, 2, 3, 4}).build();
        assertParseError(family, "unknown address family 3");
        byte[] error = StunMessage.builder(MessageType.BINDING_ERROR, TID).attribute(AttributeType.ERROR_CODE,
                new byte[] {0, 0, 2, 0}).build();
        assertParseError(error, "class 2 and number 0");
        byte[] mi = StunMessage.builder(MessageType.BINDING_ERROR, TID).attribute(AttributeType.MESSAGE_INTEGRITY,
                new byte[16]).build();
        assertParseError(mi, "MESSAGE-INTEGRITY) at offset 20 has length 16, expected 20");
    }

    @Test
    void unknownComprehensionRequiredAttributesAreListed() throws Exception {
        StunMessage m = StunMessage.parse(StunMessage.builder(MessageType.BINDING_REQUEST, TID)
                .attribute(0x7001, new byte[3]).attribute(0xC001, new byte[2]).attribute(0x0031, new byte[0])
                .software("x").build());
        assertThat(m.unknownComprehensionRequired()).containsExactly(0x7001, 0x0031);
        assertThat(m.attributeTypes()).containsExactly(0x7001, 0xC001, 0x0031, AttributeType.SOFTWARE);
        assertThat(m.attribute(0xC001)).hasValue(ByteBuffer.wrap(new byte[2]));

        // what a server answers (RFC 8489 section 6.3.1): 420 listing them
        StunMessage answer = StunMessage.parse(StunMessage.builder(m.type().error(), m.transactionId())
                .errorCode(ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute")
                .unknownAttributes(m.unknownComprehensionRequired()).build());
        assertThat(answer.errorCode().orElseThrow().code()).isEqualTo(420);
        assertThat(answer.unknownAttributes()).containsExactly(0x7001, 0x0031);
        assertThat(answer.hasUnknownComprehensionRequired()).isFalse();
    }

    @Test
    void attributesAfterIntegrityAreIgnoredExceptShaAndFingerprint() throws Exception {
        byte[] key = {1, 2, 3};
        byte[] signed = StunMessage.builder(MessageType.REFRESH_REQUEST, TID).lifetime(0).messageIntegrity(key).build();
        // append DATA and an unknown comprehension-required attribute after MESSAGE-INTEGRITY
        ByteBuffer b = ByteBuffer.allocate(signed.length + 8 + 4).put(signed)
                .putShort((short) AttributeType.DATA).putShort((short) 4).putInt(0x01020304)
                .putShort((short) 0x7123).putShort((short) 0);
        b.putShort(2, (short) (b.capacity() - 20));
        StunMessage m = StunMessage.parse(b.array());
        assertThat(m.data()).isEmpty();
        assertThat(m.hasUnknownComprehensionRequired()).isFalse();
        assertThat(m.verifyMessageIntegrity(key)).isTrue();
        assertThat(m.attributeTypes()).containsExactly(AttributeType.LIFETIME, AttributeType.MESSAGE_INTEGRITY);

        byte[] both = StunMessage.builder(MessageType.REFRESH_REQUEST, TID).lifetime(0).messageIntegrity(key)
                .messageIntegritySha256(key).fingerprint().build();
        StunMessage all = StunMessage.parse(both);
        assertThat(all.attributeTypes()).containsExactly(AttributeType.LIFETIME, AttributeType.MESSAGE_INTEGRITY,
                AttributeType.MESSAGE_INTEGRITY_SHA256, AttributeType.FINGERPRINT);
        assertThat(all.verifyMessageIntegrity(key)).isTrue();
        assertThat(all.verifyMessageIntegritySha256(key)).isTrue();
        assertThat(all.verifyIntegrity(key)).isTrue();
        assertThat(all.verifyIntegrity(new byte[] {1, 2, 4})).isFalse();
        assertThat(all.verifyFingerprint()).isTrue();
    }

    @Test
    void truncatedSha256IntegrityVerifies() throws Exception {
        byte[] key = StunCredentials.longTermKey("u", "r", "p", PasswordAlgorithm.SHA256);
        byte[] full = StunMessage.builder(MessageType.BINDING_REQUEST, TID).software("s")
                .messageIntegritySha256(key).build();
        // cut the HMAC to 16 bytes: the length field counts the shorter attribute
        ByteBuffer b = ByteBuffer.wrap(java.util.Arrays.copyOf(full, full.length - 16));
        b.putShort(2, (short) (b.capacity() - 20));
        b.putShort(full.length - 36 + 2, (short) 16);
        byte[] cut = b.array();
        byte[] mac = javaHmac("HmacSHA256", key, cut, full.length - 36, b.capacity() - 20);
        System.arraycopy(mac, 0, cut, full.length - 32, 16);
        assertThat(StunMessage.parse(cut).verifyMessageIntegritySha256(key)).isTrue();
        cut[cut.length - 1] ^= 1;
        assertThat(StunMessage.parse(cut).verifyMessageIntegritySha256(key)).isFalse();
    }

    /** An independent HMAC of {@code msg[0, end)} with the length field set to {@code lengthField}. */
    static byte[] javaHmac(String alg, byte[] key, byte[] msg, int end, int lengthField) throws Exception {
        byte[] copy = java.util.Arrays.copyOf(msg, end);
        copy[2] = (byte) (lengthField >> 8);
        copy[3] = (byte) lengthField;
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance(alg);
        mac.init(new javax.crypto.spec.SecretKeySpec(key, alg));
        return mac.doFinal(copy);
    }

    @Test
    void credentials() {
        assertThat(StunCredentials.shortTermKey("pass word")).isEqualTo("pass word".getBytes());
        assertThat(StunCredentials.shortTermKey("a\u00A0b")).isEqualTo("a b".getBytes());
        assertThat(StunCredentials.longTermKey("user", "realm", "pass"))
                .isEqualTo(java.util.HexFormat.of().parseHex("8493fbc53ba582fb4c044c456bdc40eb"));
        assertThat(StunCredentials.longTermKey("user", "realm", "pass", PasswordAlgorithm.SHA256)).hasSize(32);
        assertThat(StunCredentials.userhash("user", "realm")).hasSize(32);
        assertThatThrownBy(() -> StunCredentials.shortTermKey("a\u0007")).hasMessageContaining("U+0007");
        assertThatThrownBy(() -> StunCredentials.shortTermKey("")).hasMessageContaining("empty");
        assertThat(StringPrep.saslPrep("I\u00ADX")).isEqualTo("IX");
        assertThat(StringPrep.saslPrep("user")).isEqualTo("user");
        assertThat(StringPrep.saslPrep("\u00AA")).isEqualTo("a");
        assertThatThrownBy(() -> StringPrep.saslPrep("a\u0007")).hasMessageContaining("U+0007");
    }

    static byte[] mutate(byte[] b, java.util.function.Consumer<byte[]> f) {
        byte[] c = b.clone();
        f.accept(c);
        return c;
    }

    static void assertParseError(byte[] bytes, String reason) {
        assertThatThrownBy(() -> StunMessage.parse(bytes)).isInstanceOf(StunParseException.class)
                .hasMessageContaining(reason);
    }
}
