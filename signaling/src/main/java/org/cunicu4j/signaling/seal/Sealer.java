package org.cunicu4j.signaling.seal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.wireguard.Key;

/**
 * Seals {@link Message}s into {@link Envelope}s and opens them, as cunīcu does: the body is
 * the NaCl {@code crypto_box} ({@link SealedBox}) of the serialized message, with a random
 * 24-byte nonce, the sender's WireGuard private key and the recipient's public key.
 *
 * <p>Stateless and thread-safe. {@link #open} never throws on bad input: it returns a
 * {@link OpenResult.Rejected} with the reason, and counts it when given a {@link SealStats}.
 */
public final class Sealer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Sealer() {
    }

    /**
     * Seals {@code message} from {@code keys.ours()} to {@code keys.theirs()} with a fresh
     * random nonce.
     *
     * @throws IllegalArgumentException when {@code keys.theirs()} is the wildcard or the key
     *     agreement fails
     */
    public static Envelope seal(Message message, KeyPair keys) {
        byte[] nonce = new byte[SealedBox.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return seal(message, keys, nonce);
    }

    /** {@link #seal(Message, KeyPair)} from {@code senderPrivate} to {@code recipientPublic}. */
    public static Envelope seal(Message message, Key senderPrivate, Key recipientPublic) {
        return seal(message, KeyPair.of(senderPrivate, recipientPublic));
    }

    /** Seals with the given nonce; for tests and known-answer checks only (never reuse a nonce). */
    public static Envelope seal(Message message, KeyPair keys, byte[] nonce) {
        Objects.requireNonNull(message, "message");
        if (keys.isWildcard()) {
            throw new IllegalArgumentException("cannot seal to the wildcard key: name the recipient");
        }
        byte[] ours = keys.ours().bytes(); // a copy: wiped below
        byte[] plain = message.toByteArray();
        byte[] body;
        try {
            body = SealedBox.seal(plain, nonce, keys.theirs().bytes(), ours);
        } finally {
            Arrays.fill(ours, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
        return Envelope.newBuilder()
                .setSender(keys.ourPublicBytes())
                .setRecipient(keys.theirsBytes())
                .setContents(EncryptedMessage.newBuilder()
                        .setBody(ByteString.copyFrom(body))
                        .setNonce(ByteString.copyFrom(nonce)))
                .build();
    }

    /** {@link #open(Envelope, KeyPair)}, counting the result in {@code stats}. */
    public static OpenResult open(Envelope envelope, KeyPair subscription, SealStats stats) {
        OpenResult result = open(envelope, subscription);
        stats.record(result);
        return result;
    }

    /**
     * Opens {@code envelope}, which arrived on the subscription {@code subscription}
     * (recipient = {@code ours}, sender = {@code theirs} or any if wildcard). Checks, in
     * order: key lengths, that (recipient, sender) match the subscription, contents and
     * nonce length, the Poly1305 tag, and the message encoding. Field 4 of the message
     * (cunīcu's PSK exchange) is kept as an unknown field, never interpreted.
     */
    public static OpenResult open(Envelope envelope, KeyPair subscription) {
        ByteString sender = envelope.getSender();
        ByteString recipient = envelope.getRecipient();
        if (sender.size() != Key.LENGTH || recipient.size() != Key.LENGTH) {
            return new OpenResult.Rejected(Rejection.BAD_KEY, "sender is " + sender.size() + " bytes, recipient is "
                    + recipient.size() + " bytes, both must be 32");
        }
        if (!recipient.equals(subscription.ourPublicBytes())) {
            return new OpenResult.Rejected(Rejection.KEY_PAIR_MISMATCH, "recipient is not " + subscription.ourPublic());
        }
        if (!subscription.acceptsSender(sender)) {
            return new OpenResult.Rejected(Rejection.KEY_PAIR_MISMATCH, "sender is not " + subscription.theirs());
        }
        if (!envelope.hasContents()) {
            return new OpenResult.Rejected(Rejection.TRUNCATED, "no contents");
        }
        ByteString nonce = envelope.getContents().getNonce();
        if (nonce.size() != SealedBox.NONCE_LENGTH) {
            return new OpenResult.Rejected(Rejection.BAD_NONCE_LENGTH, "nonce is " + nonce.size() + " bytes, not 24");
        }
        ByteString body = envelope.getContents().getBody();
        if (body.size() < SealedBox.TAG_LENGTH) {
            return new OpenResult.Rejected(Rejection.TRUNCATED, "body is " + body.size() + " bytes, shorter than the tag");
        }
        byte[] key;
        byte[] ours = subscription.ours().bytes();
        try {
            key = SealedBox.sharedKey(sender.toByteArray(), ours);
        } catch (IllegalArgumentException e) {
            return new OpenResult.Rejected(Rejection.BAD_KEY, "key agreement with the sender failed");
        } finally {
            Arrays.fill(ours, (byte) 0);
        }
        byte[] plain = SealedBox.openWithKey(body.toByteArray(), nonce.toByteArray(), key);
        Arrays.fill(key, (byte) 0);
        if (plain == null) {
            return new OpenResult.Rejected(Rejection.AUTHENTICATION_FAILED, "tag does not verify");
        }
        Message message;
        try {
            message = Message.parseFrom(plain);
        } catch (InvalidProtocolBufferException e) {
            return new OpenResult.Rejected(Rejection.MALFORMED_MESSAGE, "body is not a Message: " + e.getMessage());
        }
        Key senderKey = Key.of(sender.toByteArray(), Key.Type.PUBLIC);
        return new OpenResult.Opened(senderKey, subscription.ourPublic(), message, nonce);
    }
}
