package org.cunicu4j.stun;

/**
 * A byte sequence is not a well-formed STUN message; the message says why (for example
 * {@code "attribute 0x0020 (XOR-MAPPED-ADDRESS) at offset 20 has length 7, expected 8 or 20"}).
 *
 * <p>It carries no stack trace: it is thrown for every malformed datagram, and the reason
 * is all a caller needs.
 */
public final class StunParseException extends Exception {
    public StunParseException(String reason) {
        super(reason, null, false, false);
    }
}
