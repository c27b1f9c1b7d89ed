package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Walks the netlink messages of one received datagram without allocating. A header whose
 * length is too small or runs past the data makes {@link #next()} stop and sets
 * {@link #malformed()}: after a bad length there is no way to find the next message.
 * Not thread-safe; reused datagram after datagram.
 */
final class MessageCursor {
    private MemorySegment buf;
    private long pos;
    private long end;
    private boolean malformed;

    private int type;
    private int flags;
    private int seq;
    private long payload;
    private long payloadEnd;

    /** Starts over on {@code buf[0, length)}. */
    MessageCursor reset(MemorySegment buf, long length) {
        this.buf = buf;
        this.pos = 0;
        this.end = Math.min(length, buf.byteSize());
        this.malformed = false;
        return this;
    }

    /** Moves to the next message; false at the end of the data or at a malformed header. */
    boolean next() {
        long left = end - pos;
        if (left <= 0) {
            return false;
        }
        if (left < Nl.NLMSGHDR_LEN) {
            malformed = true;
            return false;
        }
        long len = Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT_UNALIGNED, pos + Nl.NLMSG_LEN));
        if (len < Nl.NLMSGHDR_LEN || len > left) {
            malformed = true;
            pos = end;
            return false;
        }
        type = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos + Nl.NLMSG_TYPE));
        flags = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos + Nl.NLMSG_FLAGS));
        seq = buf.get(ValueLayout.JAVA_INT_UNALIGNED, pos + Nl.NLMSG_SEQ);
        payload = pos + Nl.NLMSGHDR_LEN;
        payloadEnd = pos + len;
        pos = Math.min(end, pos + Nl.align(len));
        return true;
    }

    /** Whether the walk stopped at a header it could not trust. */
    boolean malformed() {
        return malformed;
    }

    MemorySegment buf() {
        return buf;
    }

    int type() {
        return type;
    }

    int flags() {
        return flags;
    }

    int seq() {
        return seq;
    }

    /** Offset of the first payload byte (the family struct). */
    long payload() {
        return payload;
    }

    long payloadEnd() {
        return payloadEnd;
    }

    long payloadLength() {
        return payloadEnd - payload;
    }
}
