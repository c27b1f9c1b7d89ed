package org.cunicu4j.signaling.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.cunicu4j.signaling.proto.epdisc.Candidate;
import org.cunicu4j.signaling.proto.epdisc.CandidateType;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.epdisc.NetworkType;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

class SealerTest {

    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();
    private final Key eve = Key.generatePrivate();

    static Message credentials() {
        return Message.newBuilder()
                .setCredentials(Credentials.newBuilder().setUfrag("abcdefghijklmnop")
                        .setPwd("abcdefghijklmnopqrstuvwxyzABCDEF").setNeedCreds(true))
                .build();
    }

    static Message candidate() {
        return Message.newBuilder()
                .setCandidate(Candidate.newBuilder().setType(CandidateType.HOST).setNetworkType(NetworkType.UDP4)
                        .setFoundation("1").setComponent(1).setPriority(2130706431).setAddress("10.0.0.1")
                        .setPort(51820))
                .build();
    }

    @Test
    void sealedMessageOpensForTheRecipient() {
        Envelope envelope = Sealer.seal(candidate(), alice, bob.publicKey());

        assertThat(envelope.getSender().toByteArray()).isEqualTo(alice.publicKey().bytes());
        assertThat(envelope.getRecipient().toByteArray()).isEqualTo(bob.publicKey().bytes());
        assertThat(envelope.getContents().getNonce().size()).isEqualTo(24);
        assertThat(envelope.getContents().getBody().size()).isEqualTo(16 + candidate().getSerializedSize());

        SealStats stats = new SealStats();
        OpenResult result = Sealer.open(envelope, KeyPair.of(bob, alice.publicKey()), stats);
        assertThat(result).isInstanceOfSatisfying(OpenResult.Opened.class, o -> {
            assertThat(o.message()).isEqualTo(candidate());
            assertThat(o.sender()).isEqualTo(alice.publicKey());
            assertThat(o.recipient()).isEqualTo(bob.publicKey());
            assertThat(o.nonce()).isEqualTo(envelope.getContents().getNonce());
        });
        assertThat(stats.opened()).isEqualTo(1);
        assertThat(stats.rejectedTotal()).isZero();
    }

    @Test
    void noncesAreFreshPerSeal() {
        Envelope a = Sealer.seal(credentials(), alice, bob.publicKey());
        Envelope b = Sealer.seal(credentials(), alice, bob.publicKey());
        assertThat(a.getContents().getNonce()).isNotEqualTo(b.getContents().getNonce());
        assertThat(a.getContents().getBody()).isNotEqualTo(b.getContents().getBody());
    }

    @Test
    void wildcardSubscriptionAcceptsAnySender() {
        Envelope fromAlice = Sealer.seal(credentials(), alice, bob.publicKey());
        Envelope fromEve = Sealer.seal(candidate(), eve, bob.publicKey());
        KeyPair any = KeyPair.wildcard(bob);

        assertThat(any.isWildcard()).isTrue();
        assertThat(Sealer.open(fromAlice, any)).isInstanceOfSatisfying(OpenResult.Opened.class,
                o -> assertThat(o.sender()).isEqualTo(alice.publicKey()));
        assertThat(Sealer.open(fromEve, any)).isInstanceOfSatisfying(OpenResult.Opened.class,
                o -> assertThat(o.sender()).isEqualTo(eve.publicKey()));
    }

    @Test
    void envelopeFromAnotherSenderThanSubscribedIsAKeyPairMismatch() {
        Envelope fromEve = Sealer.seal(credentials(), eve, bob.publicKey());
        SealStats stats = new SealStats();

        OpenResult result = Sealer.open(fromEve, KeyPair.of(bob, alice.publicKey()), stats);

        assertRejected(result, Rejection.KEY_PAIR_MISMATCH);
        assertThat(stats.rejected(Rejection.KEY_PAIR_MISMATCH)).isEqualTo(1);
        assertThat(stats.opened()).isZero();
    }

    @Test
    void envelopeForAnotherRecipientIsAKeyPairMismatch() {
        Envelope toEve = Sealer.seal(credentials(), alice, eve.publicKey());
        assertRejected(Sealer.open(toEve, KeyPair.of(bob, alice.publicKey())), Rejection.KEY_PAIR_MISMATCH);
    }

    @Test
    void messageSealedForOneKeyCannotBeOpenedWithAnother() {
        // Eve rewrites the recipient so the key-pair check passes: the tag still fails.
        Envelope toEve = Sealer.seal(credentials(), alice, eve.publicKey());
        Envelope redirected = toEve.toBuilder().setRecipient(ByteString.copyFrom(bob.publicKey().bytes())).build();
        assertRejected(Sealer.open(redirected, KeyPair.of(bob, alice.publicKey())), Rejection.AUTHENTICATION_FAILED);

        // and a forged sender field cannot pass off Eve's message as Alice's
        Envelope forged = Sealer.seal(credentials(), eve, bob.publicKey()).toBuilder()
                .setSender(ByteString.copyFrom(alice.publicKey().bytes())).build();
        assertRejected(Sealer.open(forged, KeyPair.of(bob, alice.publicKey())), Rejection.AUTHENTICATION_FAILED);
    }

    @Test
    void tamperedBodiesAndNoncesAreRejectedAndCounted() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Envelope envelope = Sealer.seal(candidate(), alice, bob.publicKey());
        KeyPair subscription = KeyPair.of(bob, alice.publicKey());
        SealStats stats = new SealStats();
        int rounds = 100;
        for (int i = 0; i < rounds; i++) {
            byte[] body = envelope.getContents().getBody().toByteArray();
            byte[] nonce = envelope.getContents().getNonce().toByteArray();
            int position = random.nextInt(body.length + nonce.length);
            if (position < body.length) {
                body[position] ^= (byte) (1 + random.nextInt(255));
            } else {
                nonce[position - body.length] ^= (byte) (1 + random.nextInt(255));
            }
            Envelope tampered = envelope.toBuilder().setContents(EncryptedMessage.newBuilder()
                    .setBody(ByteString.copyFrom(body)).setNonce(ByteString.copyFrom(nonce))).build();
            OpenResult result = Sealer.open(tampered, subscription, stats);
            assertThat(result).as("seed %d round %d", seed, i).isInstanceOfSatisfying(OpenResult.Rejected.class,
                    r -> assertThat(r.reason()).isEqualTo(Rejection.AUTHENTICATION_FAILED));
        }
        assertThat(stats.rejected(Rejection.AUTHENTICATION_FAILED)).isEqualTo(rounds);
        // the untouched envelope still opens: rejections leave no state behind
        assertThat(Sealer.open(envelope, subscription, stats)).isInstanceOf(OpenResult.Opened.class);
        assertThat(stats.opened()).isEqualTo(1);
    }

    @Test
    void shortNonceIsRejected() {
        Envelope envelope = Sealer.seal(candidate(), alice, bob.publicKey());
        Envelope bad = envelope.toBuilder().setContents(envelope.getContents().toBuilder()
                .setNonce(envelope.getContents().getNonce().substring(0, 23))).build();
        assertRejected(Sealer.open(bad, KeyPair.of(bob, alice.publicKey())), Rejection.BAD_NONCE_LENGTH);
    }

    @Test
    void missingContentsAndShortBodyAreTruncated() {
        Envelope envelope = Sealer.seal(candidate(), alice, bob.publicKey());
        KeyPair keys = KeyPair.of(bob, alice.publicKey());
        assertRejected(Sealer.open(envelope.toBuilder().clearContents().build(), keys), Rejection.TRUNCATED);
        Envelope shortBody = envelope.toBuilder().setContents(envelope.getContents().toBuilder()
                .setBody(envelope.getContents().getBody().substring(0, 15))).build();
        assertRejected(Sealer.open(shortBody, keys), Rejection.TRUNCATED);
    }

    @Test
    void badKeyLengthsAndSmallOrderSendersAreBadKeys() {
        Envelope envelope = Sealer.seal(candidate(), alice, bob.publicKey());
        KeyPair any = KeyPair.wildcard(bob);
        assertRejected(Sealer.open(envelope.toBuilder().setSender(ByteString.copyFrom(new byte[31])).build(), any),
                Rejection.BAD_KEY);
        assertRejected(Sealer.open(envelope.toBuilder().setSender(ByteString.copyFrom(new byte[32])).build(), any),
                Rejection.BAD_KEY);
    }

    @Test
    void authenticBodyThatIsNotAMessageIsMalformed() {
        // 0xff is field 31 with wire type 7, which does not exist
        byte[] nonce = new byte[24];
        byte[] body = SealedBox.seal(new byte[] {(byte) 0xff, 0x01}, nonce, bob.publicKey().bytes(), alice.bytes());
        Envelope envelope = Envelope.newBuilder()
                .setSender(ByteString.copyFrom(alice.publicKey().bytes()))
                .setRecipient(ByteString.copyFrom(bob.publicKey().bytes()))
                .setContents(EncryptedMessage.newBuilder().setBody(ByteString.copyFrom(body))
                        .setNonce(ByteString.copyFrom(nonce)))
                .build();
        SealStats stats = new SealStats();
        assertRejected(Sealer.open(envelope, KeyPair.of(bob, alice.publicKey()), stats), Rejection.MALFORMED_MESSAGE);
        assertThat(stats.rejections()).containsExactly(java.util.Map.entry(Rejection.MALFORMED_MESSAGE, 1L));
    }

    @Test
    void pskeFieldFourIsIgnored() throws IOException {
        // a cunīcu message with credentials (field 1) and a pske sub-message (field 4)
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, credentials().getCredentials().toByteArray());
        out.writeByteArray(4, new byte[] {0x0a, 0x03, 1, 2, 3});
        out.flush();
        byte[] nonce = new byte[24];
        new Random(1).nextBytes(nonce);
        byte[] body = SealedBox.seal(bytes.toByteArray(), nonce, bob.publicKey().bytes(), alice.bytes());
        Envelope envelope = Envelope.newBuilder()
                .setSender(ByteString.copyFrom(alice.publicKey().bytes()))
                .setRecipient(ByteString.copyFrom(bob.publicKey().bytes()))
                .setContents(EncryptedMessage.newBuilder().setBody(ByteString.copyFrom(body))
                        .setNonce(ByteString.copyFrom(nonce)))
                .build();

        OpenResult result = Sealer.open(envelope, KeyPair.of(bob, alice.publicKey()));

        assertThat(result).isInstanceOfSatisfying(OpenResult.Opened.class, o -> {
            assertThat(o.message().getCredentials()).isEqualTo(credentials().getCredentials());
            assertThat(o.message().hasCandidate()).isFalse();
            assertThat(o.message().hasPeer()).isFalse();
        });
    }

    @Test
    void sealingToTheWildcardIsRefused() {
        assertThatThrownBy(() -> Sealer.seal(credentials(), KeyPair.wildcard(alice)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wildcard");
    }

    @Test
    void keyPairRefusesSwappedKeyTypes() {
        assertThatThrownBy(() -> KeyPair.of(alice.publicKey(), bob.publicKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ours must be a private key");
        assertThatThrownBy(() -> KeyPair.of(alice, bob))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("theirs must be a public key");
    }

    private static void assertRejected(OpenResult result, Rejection reason) {
        assertThat(result).isInstanceOfSatisfying(OpenResult.Rejected.class,
                r -> assertThat(r.reason()).as(r.detail()).isEqualTo(reason));
    }
}
