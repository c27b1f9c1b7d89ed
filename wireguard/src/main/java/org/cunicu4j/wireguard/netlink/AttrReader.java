package org.cunicu4j.wireguard.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks the netlink attributes in {@code data[start, end)} with bounds checks: a length
 * that is too small or runs past the region is an {@link IOException} naming {@code where}.
 * Integers in host byte order. Not thread-safe.
 */
final class AttrReader {
    private final ByteBuffer data;
    private final int end;
    private final String where;
    private int pos;
    private int type;
    private int value;
    private int length;

    AttrReader(byte[] data, int start, int end, String where) {
        this.data = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        this.pos = start;
        this.end = end;
        this.where = where;
    }

    AttrReader(byte[] data, String where) {
        this(data, 0, data.length, where);
    }

    /** Moves to the next attribute; false at the end of the region. */
    boolean next() throws IOException {
        if (pos >= end) {
            return false;
        }
        if (end - pos < 4) {
            throw malformed("an attribute header cut after " + (end - pos) + " bytes");
        }
        int len = Short.toUnsignedInt(data.getShort(pos));
        if (len < 4 || len > end - pos) {
            throw malformed("an attribute length " + len + " with " + (end - pos) + " bytes left");
        }
        type = Short.toUnsignedInt(data.getShort(pos + 2)) & WgNl.NLA_TYPE_MASK;
        value = pos + 4;
        length = len - 4;
        pos = Math.min(end, pos + ((len + 3) & ~3));
        return true;
    }

    int type() {
        return type;
    }

    int length() {
        return length;
    }

    /** A reader over this attribute's value (a nested attribute's children). */
    AttrReader nested(String what) {
        return new AttrReader(data.array(), value, value + length, where + " > " + what);
    }

    private void expect(int n, String what) throws IOException {
        if (length != n) {
            throw malformed(what + " of " + length + " bytes, expected " + n);
        }
    }

    int u8(String what) throws IOException {
        expect(1, what);
        return data.get(value) & 0xff;
    }

    int u16(String what) throws IOException {
        expect(2, what);
        return Short.toUnsignedInt(data.getShort(value));
    }

    int u32(String what) throws IOException {
        expect(4, what);
        return data.getInt(value);
    }

    long u64(String what) throws IOException {
        expect(8, what);
        return data.getLong(value);
    }

    long s64At(int offset) {
        return data.getLong(value + offset);
    }

    byte[] bytes(int n, String what) throws IOException {
        expect(n, what);
        return bytes();
    }

    byte[] bytes() {
        byte[] b = new byte[length];
        data.get(value, b);
        return b;
    }

    /** The value as a NUL-terminated string (up to its NUL or end). */
    String string() {
        int n = 0;
        while (n < length && data.get(value + n) != 0) {
            n++;
        }
        return new String(data.array(), value, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    IOException malformed(String what) {
        return new IOException("malformed WireGuard netlink answer in " + where + ": " + what);
    }
}
