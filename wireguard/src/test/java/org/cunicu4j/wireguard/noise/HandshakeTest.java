package org.cunicu4j.wireguard.noise;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.crypto.ChaChaPoly;
import org.junit.jupiter.api.Test;

/** The Noise IKpsk2 handshake between two in-memory parties, message by message. */
class HandshakeTest {
    private final Key privI = Key.generatePrivate();
    private final Key privR = Key.generatePrivate();
    private final StaticIdentity idI = new StaticIdentity(privI);
    private final StaticIdentity idR = new StaticIdentity(privR);
    private final Handshake atI = new Handshake(privR.publicKey());
    private final Handshake atR = new Handshake(privI.publicKey());
    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");

    HandshakeTest() {
        atI.setIdentity(idI);
        atR.setIdentity(idR);
    }

    private Keypair[] complete(byte[] psk) {
        atI.setPresharedKey(psk);
        atR.setPresharedKey(psk);
        byte[] init = new byte[Messages.INITIATION_SIZE];
        assertThat(atI.createInitiation(init, 0x11223344, now)).isTrue();
        assertThat(init[0]).isEqualTo((byte) 1);
        assertThat(Messages.getIntLE(init, Messages.INIT_SENDER)).isEqualTo(0x11223344);
        Handshake.InitiationStart start = Handshake.startConsumingInitiation(idR, init);
        assertThat(start).isNotNull();
        assertThat(start.peerStatic()).isEqualTo(privI.publicKey().bytes());
        assertThat(atR.finishConsumingInitiation(start, init, 0, 20_000_000L)).isEqualTo(Handshake.Refusal.NONE);
        byte[] resp = new byte[Messages.RESPONSE_SIZE];
        assertThat(atR.createResponse(resp, 0x55667788)).isTrue();
        assertThat(Messages.getIntLE(resp, Messages.RESP_RECEIVER)).isEqualTo(0x11223344);
        Keypair r = atR.deriveKeypair(0);
        assertThat(atI.consumeResponse(resp)).isTrue();
        Keypair i = atI.deriveKeypair(0);
        return new Keypair[] {i, r};
    }

    @Test
    void bothSidesDeriveTheSameKeys() {
        Keypair[] k = complete(null);
        assertThat(k[0].initiator).isTrue();
        assertThat(k[1].initiator).isFalse();
        assertThat(k[0].sendKey.getEncoded()).isEqualTo(k[1].receiveKey.getEncoded());
        assertThat(k[0].receiveKey.getEncoded()).isEqualTo(k[1].sendKey.getEncoded());
        assertThat(k[0].sendKey.getEncoded()).isNotEqualTo(k[0].receiveKey.getEncoded());
        assertThat(k[0].remoteIndex).isEqualTo(0x55667788);
        assertThat(k[1].remoteIndex).isEqualTo(0x11223344);
        // a message sealed by one opens at the other
        ChaChaPoly aead = new ChaChaPoly();
        byte[] buf = Arrays.copyOf("hello".getBytes(), 5 + 16);
        int n = aead.seal(k[0].sendKey, 0, buf, 0, 5, null);
        assertThat(aead.open(k[1].receiveKey, 0, buf, 0, n, null)).isEqualTo(5);
        assertThat(atI.state()).isEqualTo(Handshake.State.ZEROED);
        assertThat(atR.state()).isEqualTo(Handshake.State.ZEROED);
    }

    @Test
    void presharedKeyMustMatch() {
        byte[] psk = Key.generatePreshared().bytes();
        Keypair[] k = complete(psk);
        assertThat(k[0].sendKey.getEncoded()).isEqualTo(k[1].receiveKey.getEncoded());
        // different PSKs: the responder still answers, the initiator cannot open the response
        atI.setPresharedKey(psk);
        atR.setPresharedKey(Key.generatePreshared().bytes());
        byte[] init = new byte[Messages.INITIATION_SIZE];
        atI.createInitiation(init, 1, now.plusSeconds(1));
        var start = Handshake.startConsumingInitiation(idR, init);
        assertThat(atR.finishConsumingInitiation(start, init, 1_000_000_000L, 20_000_000L)).isEqualTo(Handshake.Refusal.NONE);
        byte[] resp = new byte[Messages.RESPONSE_SIZE];
        atR.createResponse(resp, 2);
        assertThat(atI.consumeResponse(resp)).isFalse();
    }

    @Test
    void replayedInitiationAndFloodAreRefused() {
        byte[] init = new byte[Messages.INITIATION_SIZE];
        atI.createInitiation(init, 1, now);
        var start = Handshake.startConsumingInitiation(idR, init);
        assertThat(atR.finishConsumingInitiation(start, init, 0, 20_000_000L)).isEqualTo(Handshake.Refusal.NONE);
        // the same message again: its timestamp is not newer
        assertThat(atR.finishConsumingInitiation(Handshake.startConsumingInitiation(idR, init), init, 1_000_000_000L, 20_000_000L))
                .isEqualTo(Handshake.Refusal.REPLAYED_TIMESTAMP);
        // a newer one too soon after the last
        byte[] init2 = new byte[Messages.INITIATION_SIZE];
        atI.createInitiation(init2, 2, now.plusSeconds(1));
        assertThat(atR.finishConsumingInitiation(Handshake.startConsumingInitiation(idR, init2), init2, 10_000_000L, 20_000_000L))
                .isEqualTo(Handshake.Refusal.FLOOD);
        assertThat(atR.finishConsumingInitiation(Handshake.startConsumingInitiation(idR, init2), init2, 30_000_000L, 20_000_000L))
                .isEqualTo(Handshake.Refusal.NONE);
    }

    @Test
    void tamperedMessagesAreRefused() {
        byte[] init = new byte[Messages.INITIATION_SIZE];
        atI.createInitiation(init, 1, now);
        for (int at : new int[] {Messages.INIT_EPHEMERAL, Messages.INIT_STATIC + 3, Messages.INIT_STATIC + 47}) {
            byte[] bad = init.clone();
            bad[at] ^= 0x40;
            assertThat(Handshake.startConsumingInitiation(idR, bad)).as("byte %d flipped", at).isNull();
        }
        byte[] badTs = init.clone();
        badTs[Messages.INIT_TIMESTAMP + 2] ^= 1;
        var start = Handshake.startConsumingInitiation(idR, badTs);
        assertThat(atR.finishConsumingInitiation(start, badTs, 0, 0)).isEqualTo(Handshake.Refusal.BAD_TIMESTAMP_SEAL);
        // an initiation for someone else does not decrypt
        StaticIdentity third = new StaticIdentity(Key.generatePrivate());
        assertThat(Handshake.startConsumingInitiation(third, init)).isNull();
        // a response to a different sender index is refused
        assertThat(atR.finishConsumingInitiation(Handshake.startConsumingInitiation(idR, init), init, 0, 0)).isEqualTo(Handshake.Refusal.NONE);
        byte[] resp = new byte[Messages.RESPONSE_SIZE];
        atR.createResponse(resp, 9);
        byte[] wrongReceiver = resp.clone();
        wrongReceiver[Messages.RESP_RECEIVER] ^= 1;
        assertThat(atI.consumeResponse(wrongReceiver)).isFalse();
        byte[] badEmpty = resp.clone();
        badEmpty[Messages.RESP_EMPTY] ^= 1;
        assertThat(atI.consumeResponse(badEmpty)).isFalse();
        assertThat(atI.consumeResponse(resp)).isTrue();
    }

    @Test
    void macsAndCookies() {
        CookieChecker checker = new CookieChecker(idR, 120_000_000_000L);
        CookieGenerator gen = new CookieGenerator(privR.publicKey(), 120_000_000_000L);
        byte[] init = new byte[Messages.INITIATION_SIZE];
        atI.createInitiation(init, 7, now);
        gen.addMacs(init, init.length, 0);
        assertThat(checker.checkMac1(init, init.length)).isTrue();
        byte[] source = {10, 0, 0, 1, 0x30, 0x39};
        assertThat(checker.checkMac2(init, init.length, source, 0)).as("no cookie yet: MAC2 is zero").isFalse();
        byte[] reply = new byte[Messages.COOKIE_REPLY_SIZE];
        checker.createReply(init, init.length, source, 0, reply);
        assertThat(reply[0]).isEqualTo((byte) 3);
        assertThat(Messages.getIntLE(reply, Messages.COOKIE_RECEIVER)).isEqualTo(7);
        assertThat(gen.consumeReply(reply, 0)).isTrue();
        assertThat(gen.consumeReply(reply, 0)).as("one reply per MAC1").isFalse();
        gen.addMacs(init, init.length, 1);
        assertThat(checker.checkMac1(init, init.length)).isTrue();
        assertThat(checker.checkMac2(init, init.length, source, 1)).isTrue();
        assertThat(checker.checkMac2(init, init.length, new byte[] {10, 0, 0, 2, 0x30, 0x39}, 1)).as("another source").isFalse();
        // after the secret rotates the cookie no longer matches
        assertThat(checker.checkMac2(init, init.length, source, 121_000_000_000L)).isFalse();
        // a MAC1 made for someone else fails
        CookieGenerator wrong = new CookieGenerator(Key.generatePrivate().publicKey(), 1);
        wrong.addMacs(init, init.length, 0);
        assertThat(checker.checkMac1(init, init.length)).isFalse();
        // the cookie expires at the initiator
        assertThat(gen.hasCookie(1)).isTrue();
        assertThat(gen.hasCookie(120_000_000_001L)).isFalse();
    }
}
