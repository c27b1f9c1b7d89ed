package org.cunicu4j.stun;

import java.util.Objects;

/**
 * A STUN message type: a 12-bit method and a class, interleaved on the wire as
 * {@code M11..M7 C1 M6..M4 C0 M3..M0} in the 14 low bits of the first 16-bit word
 * (RFC 8489 section 5).
 *
 * @param method the method number, 0..0xFFF (see {@link StunMethod})
 * @param messageClass request, indication, success or error response
 */
public record MessageType(int method, StunClass messageClass) {

    public static final MessageType BINDING_REQUEST = new MessageType(StunMethod.BINDING, StunClass.REQUEST);
    public static final MessageType BINDING_INDICATION = new MessageType(StunMethod.BINDING, StunClass.INDICATION);
    public static final MessageType BINDING_SUCCESS = new MessageType(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE);
    public static final MessageType BINDING_ERROR = new MessageType(StunMethod.BINDING, StunClass.ERROR_RESPONSE);
    public static final MessageType ALLOCATE_REQUEST = new MessageType(StunMethod.ALLOCATE, StunClass.REQUEST);
    public static final MessageType REFRESH_REQUEST = new MessageType(StunMethod.REFRESH, StunClass.REQUEST);
    public static final MessageType SEND_INDICATION = new MessageType(StunMethod.SEND, StunClass.INDICATION);
    public static final MessageType DATA_INDICATION = new MessageType(StunMethod.DATA, StunClass.INDICATION);
    public static final MessageType CREATE_PERMISSION_REQUEST =
            new MessageType(StunMethod.CREATE_PERMISSION, StunClass.REQUEST);
    public static final MessageType CHANNEL_BIND_REQUEST = new MessageType(StunMethod.CHANNEL_BIND, StunClass.REQUEST);

    public MessageType {
        if (method < 0 || method > StunMethod.MAX) {
            throw new IllegalArgumentException("method must be 0..0xFFF, got 0x" + Integer.toHexString(method));
        }
        Objects.requireNonNull(messageClass, "messageClass");
    }

    /** The type with {@code method} and {@code messageClass}. */
    public static MessageType of(int method, StunClass messageClass) {
        return new MessageType(method, messageClass);
    }

    /** Decodes the 14-bit wire value (the two top bits of {@code type} are ignored). */
    public static MessageType decode(int type) {
        int method = (type & 0x3E00) >>> 2 | (type & 0x00E0) >>> 1 | (type & 0x000F);
        int cls = (type & 0x0100) >>> 7 | (type & 0x0010) >>> 4;
        return new MessageType(method, StunClass.ofBits(cls));
    }

    /** The 16-bit wire value (top two bits zero). */
    public int encode() {
        return encode(method, messageClass);
    }

    static int encode(int method, StunClass cls) {
        int c = cls.bits();
        return (method & 0xF80) << 2 | (method & 0x070) << 1 | (method & 0x00F)
                | (c & 0b10) << 7 | (c & 0b01) << 4;
    }

    /** The matching success response type (for a request). */
    public MessageType success() {
        return new MessageType(method, StunClass.SUCCESS_RESPONSE);
    }

    /** The matching error response type (for a request). */
    public MessageType error() {
        return new MessageType(method, StunClass.ERROR_RESPONSE);
    }

    @Override
    public String toString() {
        String cls = switch (messageClass) {
            case REQUEST -> "request";
            case INDICATION -> "indication";
            case SUCCESS_RESPONSE -> "success response";
            case ERROR_RESPONSE -> "error response";
        };
        return StunMethod.name(method) + " " + cls;
    }
}
