package org.cunicu4j.stun;

/**
 * The flags of a CHANGE-REQUEST attribute (RFC 5780 section 7.2): ask the server to answer
 * from its other IP address and/or its other port.
 */
public record ChangeRequest(boolean changeIp, boolean changePort) {
    static final int CHANGE_IP = 0x4;
    static final int CHANGE_PORT = 0x2;

    int flags() {
        return (changeIp ? CHANGE_IP : 0) | (changePort ? CHANGE_PORT : 0);
    }
}
