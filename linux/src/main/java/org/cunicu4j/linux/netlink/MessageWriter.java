package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Builds one netlink message in a caller-owned buffer: header, a fixed family struct,
 * then attributes, each padded to 4 bytes. Not thread-safe; reused request after request.
 */
final class MessageWriter {
    private final MemorySegment buf;
    private int len;

    MessageWriter(MemorySegment buf) {
        this.buf = buf;
    }

    /** Starts a message; the previous one is discarded. */
    MessageWriter begin(short type, short flags, int seq) {
        len = 0;
        long header = reserve(Nl.NLMSGHDR_LEN);
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, header + Nl.NLMSG_TYPE, type);
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, header + Nl.NLMSG_FLAGS, flags);
        buf.set(ValueLayout.JAVA_INT_UNALIGNED, header + Nl.NLMSG_SEQ, seq);
        return this;
    }

    /** Appends {@code size} zeroed bytes (padded to 4) and returns their offset. */
    long reserve(int size) {
        int padded = Nl.align(size);
        if (len + padded > buf.byteSize()) {
            throw new IllegalStateException("netlink request exceeds " + buf.byteSize() + " bytes");
        }
        long at = len;
        buf.asSlice(at, padded).fill((byte) 0);
        len += padded;
        return at;
    }

    MemorySegment buf() {
        return buf;
    }

    void putByte(long offset, int value) {
        buf.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    void putInt(long offset, int value) {
        buf.set(ValueLayout.JAVA_INT_UNALIGNED, offset, value);
    }

    void attr(int type, byte[] value) {
        long at = reserve(Nl.RTATTR_LEN + value.length);
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + Nl.RTA_LEN, (short) (Nl.RTATTR_LEN + value.length));
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + Nl.RTA_TYPE, (short) type);
        MemorySegment.copy(value, 0, buf, ValueLayout.JAVA_BYTE, at + Nl.RTATTR_LEN, value.length);
    }

    void attrInt(int type, int value) {
        long at = reserve(Nl.RTATTR_LEN + 4);
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + Nl.RTA_LEN, (short) (Nl.RTATTR_LEN + 4));
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + Nl.RTA_TYPE, (short) type);
        buf.set(ValueLayout.JAVA_INT_UNALIGNED, at + Nl.RTATTR_LEN, value);
    }

    /** A NUL-terminated string attribute. */
    void attrString(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        attr(type, withNul);
    }

    /** Writes the total length into the header and returns it. */
    int finish() {
        buf.set(ValueLayout.JAVA_INT_UNALIGNED, Nl.NLMSG_LEN, len);
        return len;
    }
}
