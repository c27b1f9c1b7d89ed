package org.cunicu4j.wireguard.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes netlink attributes ({@code struct nlattr}: u16 length, u16 type, value padded to 4)
 * into a growing byte array, integers in host byte order, with nesting. Not thread-safe.
 */
final class AttrWriter {
    private ByteBuffer buf = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
    private final int[] nests = new int[8];
    private int depth;

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more)).order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    private void header(int type, int valueLength) {
        ensure(4 + valueLength + 3);
        buf.putShort((short) (4 + valueLength)).putShort((short) type);
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    AttrWriter bytes(int type, byte[] value) {
        header(type, value.length);
        buf.put(value);
        pad();
        return this;
    }

    AttrWriter u8(int type, int value) {
        header(type, 1);
        buf.put((byte) value);
        pad();
        return this;
    }

    AttrWriter u16(int type, int value) {
        header(type, 2);
        buf.putShort((short) value);
        pad();
        return this;
    }

    AttrWriter u32(int type, int value) {
        header(type, 4);
        buf.putInt(value);
        return this;
    }

    /** A NUL-terminated string. */
    AttrWriter string(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        return bytes(type, Arrays.copyOf(b, b.length + 1));
    }

    /** Opens a nested attribute (type with {@code NLA_F_NESTED}); close it with {@link #end()}. */
    AttrWriter begin(int type) {
        header(type | WgNl.NLA_F_NESTED, 0);
        nests[depth++] = buf.position() - 4;
        return this;
    }

    AttrWriter end() {
        int start = nests[--depth];
        int len = buf.position() - start;
        if (len > 0xffff) {
            throw new IllegalStateException("a nested netlink attribute exceeds 65535 bytes");
        }
        buf.putShort(start, (short) len);
        return this;
    }

    int size() {
        return buf.position();
    }

    byte[] toByteArray() {
        if (depth != 0) {
            throw new IllegalStateException(depth + " nested attributes are still open");
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }
}
