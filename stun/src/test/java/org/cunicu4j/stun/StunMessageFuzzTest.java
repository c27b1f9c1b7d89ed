package org.cunicu4j.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of the codec: arbitrary input parses or gives a
 * {@link StunParseException} (never another exception, including from the getters of what
 * did parse); built messages round-trip; a flipped bit never survives integrity and
 * fingerprint. Every failure names its seed or bit.
 */
class StunMessageFuzzTest {
    private static final int ROUNDS = 3000;

    @Test
    void arbitraryBytesParseOrFailCleanly() {
        for (long seed = 0; seed < ROUNDS; seed++) {
            Random r = new Random(seed);
            byte[] bytes = new byte[r.nextInt(160)];
            r.nextBytes(bytes);
            probe(bytes, "random bytes, seed " + seed);
        }
    }

    @Test
    void randomAttributesBehindAValidHeaderParseOrFailCleanly() {
        for (long seed = 0; seed < ROUNDS; seed++) {
            Random r = new Random(seed);
            ByteBuffer b = ByteBuffer.allocate(20 + 4 * r.nextInt(40));
            b.putShort((short) r.nextInt(0x4000)).putShort((short) (b.capacity() - 20)).putInt(StunMessage.MAGIC_COOKIE);
            while (b.hasRemaining()) {
                if (b.remaining() >= 4 && r.nextInt(3) > 0) {
                    // a plausible attribute header: a known type half the time, a small length
                    int type = r.nextBoolean() ? KNOWN[r.nextInt(KNOWN.length)] : r.nextInt(0x10000);
                    b.putShort((short) type).putShort((short) r.nextInt(Math.min(40, b.remaining())));
                } else {
                    b.put((byte) r.nextInt());
                }
            }
            probe(b.array(), "random attributes, seed " + seed);
        }
    }

    @Test
    void mutatedAndTruncatedMessagesParseOrFailCleanly() {
        List<byte[]> seeds = List.of(Rfc5769Test.SAMPLE_REQUEST, Rfc5769Test.IPV4_RESPONSE,
                Rfc5769Test.IPV6_RESPONSE, Rfc5769Test.LONG_TERM_REQUEST);
        for (long seed = 0; seed < ROUNDS; seed++) {
            Random r = new Random(seed);
            byte[] base = r.nextBoolean() ? seeds.get(r.nextInt(seeds.size())) : randomMessage(r);
            byte[] bytes = r.nextInt(4) == 0 ? Arrays.copyOf(base, r.nextInt(base.length + 1)) : base.clone();
            for (int k = 0, n = 1 + r.nextInt(4); k < n && bytes.length > 0; k++) {
                bytes[r.nextInt(bytes.length)] = (byte) r.nextInt();
            }
            probe(bytes, "mutation, seed " + seed);
        }
    }

    @Test
    void builtMessagesRoundTrip() throws Exception {
        for (long seed = 0; seed < ROUNDS; seed++) {
            Random r = new Random(seed);
            TransactionId tid = randomTid(r);
            MessageType type = new MessageType(r.nextInt(0x1000), StunClass.ofBits(r.nextInt(4)));
            InetSocketAddress addr = randomAddress(r);
            byte[] data = new byte[r.nextInt(50)];
            r.nextBytes(data);
            String text = randomText(r);
            long priority = r.nextLong() & 0xFFFF_FFFFL;
            long tieBreaker = r.nextLong();
            byte[] key = new byte[r.nextInt(20)];
            r.nextBytes(key);
            byte[] bytes = StunMessage.builder(type, tid).xorMappedAddress(addr).mappedAddress(addr)
                    .username(text).data(data).priority(priority).iceControlling(tieBreaker)
                    .lifetime(r.nextInt(Integer.MAX_VALUE)).errorCode(300 + r.nextInt(400), text)
                    .messageIntegrity(key).messageIntegritySha256(key).fingerprint().build();
            StunMessage m = StunMessage.parse(bytes);
            String why = "seed " + seed;
            assertThat(m.type()).as(why).isEqualTo(type);
            assertThat(m.transactionId()).as(why).isEqualTo(tid);
            assertThat(m.xorMappedAddress()).as(why).contains(addr);
            assertThat(m.mappedAddress()).as(why).contains(addr);
            assertThat(m.username()).as(why).contains(text);
            assertThat(m.data()).as(why).contains(ByteBuffer.wrap(data));
            assertThat(m.priority()).as(why).hasValue(priority);
            assertThat(m.iceControlling()).as(why).hasValue(tieBreaker);
            assertThat(m.errorCode().orElseThrow().reason()).as(why).isEqualTo(text);
            assertThat(m.verifyMessageIntegrity(key)).as(why).isTrue();
            assertThat(m.verifyMessageIntegritySha256(key)).as(why).isTrue();
            assertThat(m.verifyFingerprint()).as(why).isTrue();
            assertThat(m.toBytes()).as(why).isEqualTo(bytes);
        }
    }

    @Test
    void everySingleBitFlipBreaksIntegrityOrFingerprint() {
        byte[] key = StunCredentials.shortTermKey(Rfc5769Test.SHORT_TERM_PASSWORD);
        List<byte[]> messages = new ArrayList<>(List.of(Rfc5769Test.SAMPLE_REQUEST, Rfc5769Test.IPV4_RESPONSE,
                Rfc5769Test.IPV6_RESPONSE));
        Random r = new Random(1);
        for (int i = 0; i < 20; i++) {
            StunMessageBuilder b = StunMessage.builder(MessageType.BINDING_SUCCESS, randomTid(r))
                    .xorMappedAddress(randomAddress(r)).software(randomText(r));
            if (i % 2 == 0) {
                b.messageIntegrity(key);
            } else {
                b.messageIntegritySha256(key); // verifyIntegrity checks the strongest present
            }
            messages.add(b.fingerprint().build());
        }
        for (int n = 0; n < messages.size(); n++) {
            byte[] original = messages.get(n);
            int fingerprintAt = original.length - 8;
            for (int bit = 0; bit < original.length * 8; bit++) {
                byte[] flipped = original.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                StunMessage m;
                try {
                    m = StunMessage.parse(flipped);
                } catch (StunParseException e) {
                    continue; // rejected outright: fine
                }
                String why = "message " + n + ", bit " + bit;
                assertThat(m.verifyFingerprint()).as(why).isFalse();
                if (bit / 8 < fingerprintAt) {
                    assertThat(m.verifyIntegrity(key)).as(why).isFalse();
                }
            }
        }
    }

    private static final int[] KNOWN = {
        AttributeType.MAPPED_ADDRESS, AttributeType.XOR_MAPPED_ADDRESS, AttributeType.USERNAME,
        AttributeType.USERHASH, AttributeType.MESSAGE_INTEGRITY, AttributeType.MESSAGE_INTEGRITY_SHA256,
        AttributeType.FINGERPRINT, AttributeType.ERROR_CODE, AttributeType.REALM, AttributeType.NONCE,
        AttributeType.PASSWORD_ALGORITHMS, AttributeType.PASSWORD_ALGORITHM, AttributeType.UNKNOWN_ATTRIBUTES,
        AttributeType.SOFTWARE, AttributeType.ALTERNATE_SERVER, AttributeType.OTHER_ADDRESS,
        AttributeType.RESPONSE_ORIGIN, AttributeType.CHANGE_REQUEST, AttributeType.PRIORITY,
        AttributeType.USE_CANDIDATE, AttributeType.ICE_CONTROLLED, AttributeType.ICE_CONTROLLING,
        AttributeType.CHANNEL_NUMBER, AttributeType.LIFETIME, AttributeType.XOR_PEER_ADDRESS, AttributeType.DATA,
        AttributeType.XOR_RELAYED_ADDRESS, AttributeType.REQUESTED_TRANSPORT, AttributeType.DONT_FRAGMENT,
        AttributeType.REQUESTED_ADDRESS_FAMILY, AttributeType.EVEN_PORT, AttributeType.RESERVATION_TOKEN,
    };

    /** Parses and, when that works, exercises every getter: nothing but StunParseException may escape. */
    private static void probe(byte[] bytes, String why) {
        StunMessage m;
        try {
            m = StunMessage.parse(bytes);
        } catch (StunParseException e) {
            assertThat(e.getMessage()).as(why).isNotBlank();
            return;
        } catch (RuntimeException e) {
            throw new AssertionError(why + ": parse threw " + e, e);
        }
        try {
            m.type();
            m.transactionId();
            m.toString();
            for (int i = 0; i < m.attributeCount(); i++) {
                m.attributeValue(i);
            }
            m.mappedAddress();
            m.xorMappedAddress();
            m.username();
            m.userhash();
            m.errorCode();
            m.realm();
            m.nonce();
            m.passwordAlgorithms();
            m.passwordAlgorithm();
            m.unknownAttributes();
            m.software();
            m.alternateServer();
            m.otherAddress();
            m.responseOrigin();
            m.changeRequest();
            m.priority();
            m.iceControlled();
            m.iceControlling();
            m.channelNumber();
            m.lifetime();
            m.xorPeerAddresses();
            m.data();
            m.xorRelayedAddresses();
            m.requestedTransport();
            m.requestedAddressFamily();
            m.unknownComprehensionRequired();
            m.verifyIntegrity(new byte[] {1});
            m.verifyMessageIntegrity(new byte[0]);
            m.verifyFingerprint();
            assertThat(m.copy().toBytes()).as(why).isEqualTo(bytes);
        } catch (RuntimeException e) {
            fail(why + ": a getter threw " + e, e);
        }
    }

    static byte[] randomMessage(Random r) {
        return StunMessage.builder(MessageType.BINDING_SUCCESS, randomTid(r)).xorMappedAddress(randomAddress(r))
                .software(randomText(r)).lifetime(r.nextInt(1000)).messageIntegrity(new byte[] {1}).fingerprint()
                .build();
    }

    static TransactionId randomTid(Random r) {
        byte[] b = new byte[12];
        r.nextBytes(b);
        return TransactionId.of(b);
    }

    static InetSocketAddress randomAddress(Random r) {
        byte[] raw = new byte[r.nextBoolean() ? 4 : 16];
        r.nextBytes(raw);
        try {
            InetAddress ip = raw.length == 4 ? InetAddress.getByAddress(raw)
                    : java.net.Inet6Address.getByAddress(null, raw, (java.net.NetworkInterface) null);
            return new InetSocketAddress(ip, r.nextInt(65536));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static String randomText(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = r.nextInt(30); i < n; i++) {
            sb.appendCodePoint(r.nextInt(4) == 0 ? 0x80 + r.nextInt(0x2000) : 0x20 + r.nextInt(0x5F));
        }
        return sb.toString();
    }
}
