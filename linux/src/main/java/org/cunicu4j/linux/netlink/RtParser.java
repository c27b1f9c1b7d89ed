package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Decodes rtnetlink link and address messages. Every method returns null for a message it
 * cannot trust (too short, bad attributes, missing essentials) instead of throwing, so
 * callers count and skip.
 */
final class RtParser {
    private RtParser() {}

    /** The link in an RTM_NEWLINK/RTM_DELLINK message, or null if malformed. */
    static Link link(MessageCursor m, AttrCursor attrs) {
        if (m.payloadLength() < Nl.IFINFOMSG_LEN) {
            return null;
        }
        MemorySegment buf = m.buf();
        long p = m.payload();
        int index = buf.get(ValueLayout.JAVA_INT_UNALIGNED, p + Nl.IFI_INDEX);
        int flags = buf.get(ValueLayout.JAVA_INT_UNALIGNED, p + Nl.IFI_FLAGS);
        String name = null;
        int mtu = 0;
        attrs.reset(buf, p + Nl.IFINFOMSG_LEN, m.payloadEnd());
        while (attrs.next()) {
            switch (attrs.type()) {
                case Nl.IFLA_IFNAME -> name = attrs.stringValue();
                case Nl.IFLA_MTU -> mtu = attrs.intValue(0);
                default -> { }
            }
        }
        if (attrs.malformed() || name == null || index <= 0) {
            return null;
        }
        return new Link(index, name, (flags & Nl.IFF_UP) != 0, mtu, flags);
    }

    /** ifi_change of a link message (~0 for a newly registered link); call after {@link #link}. */
    static int linkChangeMask(MessageCursor m) {
        return m.buf().get(ValueLayout.JAVA_INT_UNALIGNED, m.payload() + Nl.IFI_CHANGE);
    }

    /** The address in an RTM_NEWADDR/RTM_DELADDR message, or null if malformed. */
    static LinkAddress address(MessageCursor m, AttrCursor attrs) {
        if (m.payloadLength() < Nl.IFADDRMSG_LEN) {
            return null;
        }
        MemorySegment buf = m.buf();
        long p = m.payload();
        int family = Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, p + Nl.IFA_FAMILY));
        int prefix = Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, p + Nl.IFA_PREFIXLEN));
        int index = buf.get(ValueLayout.JAVA_INT_UNALIGNED, p + Nl.IFA_INDEX);
        int expected = family == Nl.AF_INET ? 4 : family == Nl.AF_INET6 ? 16 : -1;
        byte[] local = null;
        byte[] address = null;
        attrs.reset(buf, p + Nl.IFADDRMSG_LEN, m.payloadEnd());
        while (attrs.next()) {
            if (attrs.valueLength() != expected) {
                continue;
            }
            switch (attrs.type()) {
                case Nl.IFA_LOCAL -> local = attrs.bytesValue();
                case Nl.IFA_ADDRESS -> address = attrs.bytesValue();
                default -> { }
            }
        }
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        byte[] chosen = local != null ? local : address;
        if (attrs.malformed() || chosen == null || index <= 0 || prefix > expected * 8) {
            return null;
        }
        try {
            return new LinkAddress(index, InetAddress.getByAddress(chosen), prefix);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }
}
