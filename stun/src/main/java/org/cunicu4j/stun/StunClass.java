package org.cunicu4j.stun;

/** The class of a STUN message: the two bits C1 C0 of the message type (RFC 8489 section 5). */
public enum StunClass {
    REQUEST(0b00),
    INDICATION(0b01),
    SUCCESS_RESPONSE(0b10),
    ERROR_RESPONSE(0b11);

    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    /** The two class bits, C1 C0, as a number 0..3. */
    public int bits() {
        return bits;
    }

    /** The class with bits {@code C1 C0 = bits} (0..3). */
    public static StunClass ofBits(int bits) {
        return switch (bits & 3) {
            case 0b00 -> REQUEST;
            case 0b01 -> INDICATION;
            case 0b10 -> SUCCESS_RESPONSE;
            default -> ERROR_RESPONSE;
        };
    }

    /** True for success and error responses. */
    public boolean isResponse() {
        return this == SUCCESS_RESPONSE || this == ERROR_RESPONSE;
    }
}
