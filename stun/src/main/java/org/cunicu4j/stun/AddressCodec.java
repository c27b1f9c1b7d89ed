package org.cunicu4j.stun;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The address attribute value (RFC 8489 sections 14.1 and 14.2): a reserved byte, the
 * family (1 IPv4, 2 IPv6), a port and 4 or 16 address bytes; in the XOR form the port is
 * XORed with the cookie's top 16 bits and the address with the cookie (IPv4) or the
 * cookie followed by the transaction ID (IPv6).
 */
final class AddressCodec {
    static final int FAMILY_IPV4 = 0x01;
    static final int FAMILY_IPV6 = 0x02;

    private AddressCodec() {}

    /** The value length for {@code address}: 8 (IPv4) or 20 (IPv6). */
    static int valueLength(InetSocketAddress address) {
        return raw(address).length == 4 ? 8 : 20;
    }

    /** A check for parsing: null if the value is well formed, else the reason. */
    static String check(ByteBuffer b, int off, int len) {
        if (len < 4) {
            return "has length " + len + ", an address has 8 or 20";
        }
        int family = b.get(off + 1) & 0xFF;
        return switch (family) {
            case FAMILY_IPV4 -> len == 8 ? null : "is IPv4 with length " + len + ", expected 8";
            case FAMILY_IPV6 -> len == 20 ? null : "is IPv6 with length " + len + ", expected 20";
            default -> "has unknown address family " + family;
        };
    }

    /**
     * Decodes a value at absolute {@code off} of {@code b}; {@code headerStart} is the
     * message start (for the cookie and transaction ID when {@code xor}).
     */
    static InetSocketAddress decode(ByteBuffer b, int off, boolean xor, int headerStart) {
        int family = b.get(off + 1) & 0xFF;
        int port = b.getShort(off + 2) & 0xFFFF;
        byte[] raw = new byte[family == FAMILY_IPV4 ? 4 : 16];
        b.get(off + 4, raw);
        if (xor) {
            port ^= StunMessage.MAGIC_COOKIE >>> 16;
            for (int i = 0; i < raw.length; i++) {
                raw[i] ^= b.get(headerStart + 4 + i); // cookie, then transaction ID
            }
        }
        try {
            InetAddress ip = raw.length == 4
                    ? InetAddress.getByAddress(raw)
                    : Inet6Address.getByAddress(null, raw, (NetworkInterface) null);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always form an address", e);
        }
    }

    /** Writes the value for {@code address} at the position of {@code out}. */
    static void encode(ByteBuffer out, InetSocketAddress address, boolean xor, TransactionId tid) {
        byte[] raw = raw(address);
        int port = address.getPort();
        out.put((byte) 0);
        out.put((byte) (raw.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6));
        if (xor) {
            port ^= StunMessage.MAGIC_COOKIE >>> 16;
            for (int i = 0; i < raw.length; i++) {
                int mask = i < 4 ? StunMessage.MAGIC_COOKIE >>> (24 - 8 * i) : tid.byteAt(i - 4);
                raw[i] ^= (byte) mask;
            }
        }
        out.putShort((short) port);
        out.put(raw);
    }

    private static byte[] raw(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        if (!(ip instanceof Inet4Address) && !(ip instanceof Inet6Address)) {
            throw new IllegalArgumentException("not an IP address: " + address);
        }
        return ip.getAddress();
    }
}
