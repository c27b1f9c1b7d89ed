package org.cunicu4j.stun;

/**
 * STUN method numbers (12 bits) from the IANA registry: Binding (RFC 8489) and the TURN
 * methods of RFC 8656. Methods are plain ints so that a message with a method this code
 * does not know still parses.
 */
public final class StunMethod {
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    /** The largest method number a message type can carry. */
    public static final int MAX = 0xFFF;

    private StunMethod() {}

    /** The method's name as the RFCs spell it, or {@code 0x...} for one not listed here. */
    public static String name(int method) {
        return switch (method) {
            case BINDING -> "Binding";
            case ALLOCATE -> "Allocate";
            case REFRESH -> "Refresh";
            case SEND -> "Send";
            case DATA -> "Data";
            case CREATE_PERMISSION -> "CreatePermission";
            case CHANNEL_BIND -> "ChannelBind";
            default -> String.format("0x%03x", method);
        };
    }
}
