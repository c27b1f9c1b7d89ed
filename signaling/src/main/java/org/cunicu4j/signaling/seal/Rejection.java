package org.cunicu4j.signaling.seal;

/** Why an envelope was not opened. Each is counted by {@link SealStats}. */
public enum Rejection {
    /** The envelope's (recipient, sender) does not match the subscription it arrived on. */
    KEY_PAIR_MISMATCH,
    /** The sender or recipient is not a 32-byte public key, or the key agreement failed on it. */
    BAD_KEY,
    /** The nonce is not 24 bytes. */
    BAD_NONCE_LENGTH,
    /** The envelope has no contents or a body shorter than the 16-byte tag. */
    TRUNCATED,
    /** The Poly1305 tag does not verify: wrong key, or the body or nonce was tampered with. */
    AUTHENTICATION_FAILED,
    /** The opened body is not a valid serialized {@code cunicu.signaling.Message}. */
    MALFORMED_MESSAGE,
    /** The bytes received are not a valid serialized {@code cunicu.signaling.Envelope}. */
    MALFORMED_ENVELOPE
}
