package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Walks the route attributes ({@code struct rtattr}) in a region of a buffer. An attribute
 * whose length is too small or runs past the region ends the walk and sets
 * {@link #malformed()}. Not thread-safe.
 */
final class AttrCursor {
    private MemorySegment buf;
    private long pos;
    private long end;
    private boolean malformed;
    private int type;
    private long value;
    private int valueLength;

    /** Starts over on {@code buf[start, end)}. */
    AttrCursor reset(MemorySegment buf, long start, long end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.malformed = false;
        return this;
    }

    boolean next() {
        long left = end - pos;
        if (left <= 0) {
            return false;
        }
        if (left < Nl.RTATTR_LEN) {
            malformed = true;
            return false;
        }
        int len = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos + Nl.RTA_LEN));
        if (len < Nl.RTATTR_LEN || len > left) {
            malformed = true;
            pos = end;
            return false;
        }
        type = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos + Nl.RTA_TYPE)) & Nl.NLA_TYPE_MASK;
        value = pos + Nl.RTATTR_LEN;
        valueLength = len - Nl.RTATTR_LEN;
        pos = Math.min(end, pos + Nl.align(len));
        return true;
    }

    boolean malformed() {
        return malformed;
    }

    int type() {
        return type;
    }

    int valueLength() {
        return valueLength;
    }

    /** The value as a u32, or {@code fallback} if it is not 4 bytes. */
    int intValue(int fallback) {
        return valueLength == 4 ? buf.get(ValueLayout.JAVA_INT_UNALIGNED, value) : fallback;
    }

    /** The value as a string up to its NUL (or its end if it has none). */
    String stringValue() {
        int n = 0;
        while (n < valueLength && buf.get(ValueLayout.JAVA_BYTE, value + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, value, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] bytesValue() {
        byte[] bytes = new byte[valueLength];
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, value, bytes, 0, valueLength);
        return bytes;
    }
}
