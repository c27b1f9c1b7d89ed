package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Decodes and names rtnetlink route messages (RTM_NEWROUTE replies to RTM_GETROUTE). Like
 * {@link RtParser}, returns null for a message it cannot trust instead of throwing, so
 * callers count and skip.
 */
final class RouteParser {
    static final short RTM_GETROUTE = 26;
    static final int RTA_PREFSRC = 7;
    static final int RTA_METRICS = 8;
    static final int RTAX_MTU = 2;

    private RouteParser() {}

    /** The route in an RTM_NEWROUTE message, or null if malformed or not IPv4/IPv6. */
    static RouteEntry route(MessageCursor m, AttrCursor attrs) {
        if (m.payloadLength() < Nl.RTMSG_LEN) {
            return null;
        }
        MemorySegment buf = m.buf();
        long p = m.payload();
        int family = Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, p + Nl.RTM_FAMILY));
        int expected = family == Nl.AF_INET ? 4 : family == Nl.AF_INET6 ? 16 : -1;
        if (expected < 0) {
            return null;
        }
        int dstLen = Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, p + Nl.RTM_DST_LEN));
        long table = Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, p + Nl.RTM_TABLE));
        int type = Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, p + Nl.RTM_TYPE));
        byte[] dst = null;
        byte[] gateway = null;
        byte[] prefsrc = null;
        byte[] metrics = null;
        int oif = 0;
        attrs.reset(buf, p + Nl.RTMSG_LEN, m.payloadEnd());
        while (attrs.next()) {
            switch (attrs.type()) {
                case Nl.RTA_DST -> dst = addressOrNull(attrs, expected);
                case Nl.RTA_GATEWAY -> gateway = addressOrNull(attrs, expected);
                case RTA_PREFSRC -> prefsrc = addressOrNull(attrs, expected);
                case Nl.RTA_OIF -> oif = attrs.intValue(0);
                case Nl.RTA_TABLE -> table = Integer.toUnsignedLong(attrs.intValue((int) table));
                case RTA_METRICS -> metrics = attrs.bytesValue();
                default -> { }
            }
        }
        if (attrs.malformed() || dstLen > expected * 8 || table == 0 || oif < 0) {
            return null;
        }
        int mtu = metrics == null ? 0 : metricsMtu(metrics, attrs);
        if (mtu < 0) {
            return null;
        }
        try {
            InetAddress destination = address(dst == null ? new byte[expected] : dst);
            Route route = new Route(destination, dstLen, gateway == null ? null : address(gateway), oif, table);
            return new RouteEntry(route, type, mtu, prefsrc == null ? null : address(prefsrc));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** RTAX_MTU inside an RTA_METRICS nest: 0 when absent, -1 when the nest is malformed. */
    private static int metricsMtu(byte[] nest, AttrCursor attrs) {
        attrs.reset(MemorySegment.ofArray(nest), 0, nest.length);
        int mtu = 0;
        while (attrs.next()) {
            if (attrs.type() == RTAX_MTU) {
                mtu = attrs.intValue(-1);
            }
        }
        return attrs.malformed() || mtu < 0 ? -1 : mtu;
    }

    private static byte[] addressOrNull(AttrCursor attrs, int expected) {
        return attrs.valueLength() == expected ? attrs.bytesValue() : null;
    }

    private static InetAddress address(byte[] b) {
        try {
            // 16 bytes stay IPv6 even when IPv4-mapped, so the family matches the message's
            return b.length == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // cannot happen for 4 or 16 bytes
        }
    }
}
