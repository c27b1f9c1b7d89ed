package org.cunicu4j.linux.socket;

import static org.cunicu4j.linux.socket.SocketConstants.AF_INET;
import static org.cunicu4j.linux.socket.SocketConstants.AF_INET6;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads and writes {@code struct sockaddr_in} and {@code struct sockaddr_in6} in a
 * caller-provided segment, without allocating: the family in host order, the port in
 * network order.
 *
 * <p>Addresses travel as raw bytes (4 or 16) plus a port, as in
 * {@code org.cunicu4j.net.PacketBatch}. Writing an IPv4 address for an {@code AF_INET6}
 * socket produces the v4-mapped form {@code ::ffff:a.b.c.d}; reading a v4-mapped address
 * gives back its 4 bytes, so dual-stack sockets look like IPv4 to callers. Stateless and
 * thread-safe.
 */
public final class SockAddr {
    private SockAddr() {}

    /** {@code struct sockaddr_in}: 16 bytes. */
    public static final StructLayout IN_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    /** {@code struct sockaddr_in6}: 28 bytes. */
    public static final StructLayout IN6_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin6_family"),
            ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id"));

    public static final int IN_SIZE = (int) IN_LAYOUT.byteSize();
    public static final int IN6_SIZE = (int) IN6_LAYOUT.byteSize();
    /** Room for either form: size name buffers with this. */
    public static final int MAX_SIZE = IN6_SIZE;

    private static final long PORT_OFFSET = IN_LAYOUT.byteOffset(PathElement.groupElement("sin_port"));
    private static final long IN_ADDR_OFFSET = IN_LAYOUT.byteOffset(PathElement.groupElement("sin_addr"));
    private static final long IN6_ADDR_OFFSET = IN6_LAYOUT.byteOffset(PathElement.groupElement("sin6_addr"));
    private static final long IN6_SCOPE_OFFSET = IN6_LAYOUT.byteOffset(PathElement.groupElement("sin6_scope_id"));
    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    /**
     * Writes a socket address of {@code family} into {@code dst} and returns its length
     * (16 or 28).
     *
     * @param addr 4 or 16 address bytes at {@code offset}; 4 bytes become v4-mapped for
     *     {@code AF_INET6}, and a v4-mapped 16 becomes 4 bytes for {@code AF_INET}
     * @throws IllegalArgumentException for an IPv6 address on an {@code AF_INET} socket, and
     *     for a link-local IPv6 address ({@code fe80::/10}), which means nothing without the
     *     interface that {@link #encode(MemorySegment, int, byte[], int, int, int, int)} takes
     */
    public static int encode(MemorySegment dst, int family, byte[] addr, int offset, int length, int port) {
        if (length == 16 && isLinkLocal(addr, offset)) {
            throw new IllegalArgumentException("link-local destination " + formatAddress(addr, offset, length)
                    + " needs a scope (interface index): pass it, or an Inet6Address with a scope id");
        }
        return encode(dst, family, addr, offset, length, port, 0);
    }

    /**
     * {@link #encode(MemorySegment, int, byte[], int, int, int)} with {@code sin6_scope_id}
     * set to {@code scopeId} (the interface index of a link-local address; 0 for none, and
     * ignored for IPv4). A link-local address with scope 0 is passed on as it is: the kernel
     * refuses to send to it ({@code EINVAL}).
     */
    public static int encode(MemorySegment dst, int family, byte[] addr, int offset, int length, int port,
            int scopeId) {
        if (length != 4 && length != 16) {
            throw new IllegalArgumentException("address length must be 4 or 16, got " + length);
        }
        if (family == AF_INET) {
            int from = offset;
            if (length == 16) {
                if (!isV4Mapped(addr, offset)) {
                    throw new IllegalArgumentException("an IPv6 address cannot be sent from an AF_INET socket");
                }
                from = offset + 12;
            }
            dst.asSlice(0, IN_SIZE).fill((byte) 0);
            dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET);
            dst.set(NET_SHORT, PORT_OFFSET, (short) port);
            MemorySegment.copy(addr, from, dst, ValueLayout.JAVA_BYTE, IN_ADDR_OFFSET, 4);
            return IN_SIZE;
        }
        if (family == AF_INET6) {
            dst.asSlice(0, IN6_SIZE).fill((byte) 0);
            dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) AF_INET6);
            dst.set(NET_SHORT, PORT_OFFSET, (short) port);
            if (length == 4) {
                dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR_OFFSET + 10, (byte) 0xff);
                dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR_OFFSET + 11, (byte) 0xff);
                MemorySegment.copy(addr, offset, dst, ValueLayout.JAVA_BYTE, IN6_ADDR_OFFSET + 12, 4);
            } else {
                MemorySegment.copy(addr, offset, dst, ValueLayout.JAVA_BYTE, IN6_ADDR_OFFSET, 16);
                dst.set(ValueLayout.JAVA_INT_UNALIGNED, IN6_SCOPE_OFFSET, scopeId);
            }
            return IN6_SIZE;
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }

    /** Writes {@code address} in its own family (IPv4 → sockaddr_in) and returns the length. */
    public static int encode(MemorySegment dst, InetSocketAddress address) {
        return encode(dst, address.getAddress() instanceof Inet4Address ? AF_INET : AF_INET6, address);
    }

    /**
     * Writes {@code address} for a socket of {@code family} and returns the length; an
     * {@link Inet6Address}'s scope id (the interface of {@code fe80::1%eth0}) goes into
     * {@code sin6_scope_id}.
     */
    public static int encode(MemorySegment dst, int family, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        byte[] raw = ip.getAddress();
        int scope = ip instanceof Inet6Address v6 ? v6.getScopeId() : 0;
        return encode(dst, family, raw, 0, raw.length, address.getPort(), scope);
    }

    /** The {@code sin6_scope_id} of an {@code AF_INET6} address, 0 for another family. */
    public static int scopeId(MemorySegment src) {
        return family(src) == AF_INET6 ? src.get(ValueLayout.JAVA_INT_UNALIGNED, IN6_SCOPE_OFFSET) : 0;
    }

    /** Whether the 16 bytes at {@code offset} are an IPv6 link-local address ({@code fe80::/10}). */
    public static boolean isLinkLocal(byte[] addr, int offset) {
        return addr[offset] == (byte) 0xfe && (addr[offset + 1] & 0xc0) == 0x80;
    }

    /** The {@code sa_family} field. */
    public static int family(MemorySegment src) {
        return src.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0) & 0xffff;
    }

    /** The port, converted from network order. */
    public static int port(MemorySegment src) {
        return src.get(NET_SHORT, PORT_OFFSET) & 0xffff;
    }

    /**
     * Copies the address bytes into {@code dst} at {@code offset} and returns their count:
     * 4 for IPv4 and v4-mapped IPv6, 16 for IPv6, 0 for another family.
     */
    public static int address(MemorySegment src, byte[] dst, int offset) {
        int family = family(src);
        if (family == AF_INET) {
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN_ADDR_OFFSET, dst, offset, 4);
            return 4;
        }
        if (family == AF_INET6) {
            if (isV4Mapped(src, IN6_ADDR_OFFSET)) {
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN6_ADDR_OFFSET + 12, dst, offset, 4);
                return 4;
            }
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN6_ADDR_OFFSET, dst, offset, 16);
            return 16;
        }
        return 0;
    }

    /** The address as an object (allocates: for the control plane), or null for another family. */
    public static InetSocketAddress decode(MemorySegment src) {
        byte[] raw = new byte[16];
        int len = address(src, raw, 0);
        if (len == 0) {
            return null;
        }
        try {
            int scope = len == 16 ? scopeId(src) : 0;
            InetAddress ip = scope != 0
                    ? Inet6Address.getByAddress(null, Arrays.copyOf(raw, len), scope)
                    : InetAddress.getByAddress(Arrays.copyOf(raw, len));
            return new InetSocketAddress(ip, port(src));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always form an address", e);
        }
    }

    /** {@code 192.0.2.1:9} or {@code [2001:db8::1]:9}, as used in call text. */
    public static String toString(MemorySegment src) {
        byte[] raw = new byte[16];
        int len = address(src, raw, 0);
        if (len == 0) {
            return "<family " + family(src) + ">";
        }
        return format(raw, 0, len, port(src));
    }

    /** {@code 192.0.2.1:9} or {@code [2001:db8::1]:9} (RFC 5952 text for IPv6). */
    public static String format(byte[] addr, int offset, int length, int port) {
        return length == 4
                ? formatAddress(addr, offset, length) + ":" + port
                : "[" + formatAddress(addr, offset, length) + "]:" + port;
    }

    /** {@code 192.0.2.1:9} or {@code [2001:db8::1]:9} for an address object. */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        byte[] raw = ip.getAddress();
        return format(raw, 0, raw.length, address.getPort());
    }

    /** Dotted quad for 4 bytes; RFC 5952 (longest zero run as "::", lower case) for 16. */
    public static String formatAddress(byte[] addr, int offset, int length) {
        StringBuilder sb = new StringBuilder(40);
        if (length == 4) {
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    sb.append('.');
                }
                sb.append(addr[offset + i] & 0xff);
            }
            return sb.toString();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((addr[offset + 2 * i] & 0xff) << 8) | (addr[offset + 2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    private static boolean isV4Mapped(byte[] addr, int offset) {
        return Arrays.equals(addr, offset, offset + 12, V4_MAPPED_PREFIX, 0, 12);
    }

    private static boolean isV4Mapped(MemorySegment src, long offset) {
        for (int i = 0; i < 12; i++) {
            if (src.get(ValueLayout.JAVA_BYTE, offset + i) != V4_MAPPED_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }
}
