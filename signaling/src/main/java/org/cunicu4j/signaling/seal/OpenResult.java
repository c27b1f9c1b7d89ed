package org.cunicu4j.signaling.seal;

import com.google.protobuf.ByteString;
import java.util.Objects;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.wireguard.Key;

/**
 * The outcome of opening an envelope: {@link Opened} or {@link Rejected}. Opening never
 * throws on bad input, so a receive loop can count and move on.
 */
public sealed interface OpenResult {

    /**
     * A message that authenticated from {@code sender} to {@code recipient}. The nonce is
     * unique per sealing, so it identifies the envelope (e.g. to drop duplicates that
     * arrive over several backends).
     */
    record Opened(Key sender, Key recipient, Message message, ByteString nonce) implements OpenResult {
        public Opened {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(nonce, "nonce");
        }
    }

    /** An envelope that was dropped, with the reason and a short detail for logs. */
    record Rejected(Rejection reason, String detail) implements OpenResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
