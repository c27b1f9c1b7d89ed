package org.cunicu4j.linux.netlink;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Netlink and rtnetlink constants and the x86_64 layouts of their structs, with the byte
 * offsets the readers and writers use. All integers are in host byte order.
 */
final class Nl {
    private Nl() {}

    static final int AF_NETLINK = 16;
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int NETLINK_ROUTE = 0;

    // message types
    static final short NLMSG_NOOP = 1;
    static final short NLMSG_ERROR = 2;
    static final short NLMSG_DONE = 3;
    static final short NLMSG_OVERRUN = 4;
    static final short RTM_NEWLINK = 16;
    static final short RTM_DELLINK = 17;
    static final short RTM_GETLINK = 18;
    static final short RTM_NEWADDR = 20;
    static final short RTM_DELADDR = 21;
    static final short RTM_GETADDR = 22;
    static final short RTM_NEWROUTE = 24;
    static final short RTM_DELROUTE = 25;

    // message flags
    static final short NLM_F_REQUEST = 0x1;
    static final short NLM_F_MULTI = 0x2;
    static final short NLM_F_ACK = 0x4;
    static final short NLM_F_DUMP = 0x300;
    /** A dump was inconsistent: the data changed while it was being sent. */
    static final short NLM_F_DUMP_INTR = 0x10;
    static final short NLM_F_EXCL = 0x200;
    static final short NLM_F_CREATE = 0x400;
    static final short NLM_F_CAPPED = 0x100;
    static final short NLM_F_ACK_TLVS = 0x200;

    // socket options
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int NLMSGERR_ATTR_MSG = 1;

    // multicast groups (bind-time bitmask)
    static final int RTMGRP_LINK = 0x1;
    static final int RTMGRP_IPV4_IFADDR = 0x10;
    static final int RTMGRP_IPV6_IFADDR = 0x100;

    // link
    static final int IFF_UP = 0x1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;

    // address
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;

    // route
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_TABLE = 15;
    static final int RT_TABLE_UNSPEC = 0;
    static final int RTPROT_BOOT = 3;
    static final int RT_SCOPE_UNIVERSE = 0;
    static final int RT_SCOPE_LINK = 253;
    static final int RT_SCOPE_NOWHERE = 255;
    static final int RTN_UNICAST = 1;

    /** struct sockaddr_nl { u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups; } */
    static final StructLayout SOCKADDR_NL = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("nl_family"),
            ValueLayout.JAVA_SHORT.withName("nl_pad"),
            ValueLayout.JAVA_INT.withName("nl_pid"),
            ValueLayout.JAVA_INT.withName("nl_groups"));
    static final long NL_FAMILY = off(SOCKADDR_NL, "nl_family");
    static final long NL_GROUPS = off(SOCKADDR_NL, "nl_groups");

    /** struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; } */
    static final StructLayout NLMSGHDR = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("nlmsg_len"),
            ValueLayout.JAVA_SHORT.withName("nlmsg_type"),
            ValueLayout.JAVA_SHORT.withName("nlmsg_flags"),
            ValueLayout.JAVA_INT.withName("nlmsg_seq"),
            ValueLayout.JAVA_INT.withName("nlmsg_pid"));
    static final int NLMSGHDR_LEN = (int) NLMSGHDR.byteSize();
    static final long NLMSG_LEN = off(NLMSGHDR, "nlmsg_len");
    static final long NLMSG_TYPE = off(NLMSGHDR, "nlmsg_type");
    static final long NLMSG_FLAGS = off(NLMSGHDR, "nlmsg_flags");
    static final long NLMSG_SEQ = off(NLMSGHDR, "nlmsg_seq");

    /** struct nlmsgerr { int error; struct nlmsghdr msg; } */
    static final StructLayout NLMSGERR = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("error"),
            NLMSGHDR.withName("msg"));
    static final int NLMSGERR_LEN = (int) NLMSGERR.byteSize();

    /** struct ifinfomsg { u8 family; u8 pad; u16 type; int index; u32 flags; u32 change; } */
    static final StructLayout IFINFOMSG = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("ifi_family"),
            ValueLayout.JAVA_BYTE.withName("ifi_pad"),
            ValueLayout.JAVA_SHORT.withName("ifi_type"),
            ValueLayout.JAVA_INT.withName("ifi_index"),
            ValueLayout.JAVA_INT.withName("ifi_flags"),
            ValueLayout.JAVA_INT.withName("ifi_change"));
    static final int IFINFOMSG_LEN = (int) IFINFOMSG.byteSize();
    static final long IFI_INDEX = off(IFINFOMSG, "ifi_index");
    static final long IFI_FLAGS = off(IFINFOMSG, "ifi_flags");
    static final long IFI_CHANGE = off(IFINFOMSG, "ifi_change");

    /** struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; } */
    static final StructLayout IFADDRMSG = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("ifa_family"),
            ValueLayout.JAVA_BYTE.withName("ifa_prefixlen"),
            ValueLayout.JAVA_BYTE.withName("ifa_flags"),
            ValueLayout.JAVA_BYTE.withName("ifa_scope"),
            ValueLayout.JAVA_INT.withName("ifa_index"));
    static final int IFADDRMSG_LEN = (int) IFADDRMSG.byteSize();
    static final long IFA_FAMILY = off(IFADDRMSG, "ifa_family");
    static final long IFA_PREFIXLEN = off(IFADDRMSG, "ifa_prefixlen");
    static final long IFA_INDEX = off(IFADDRMSG, "ifa_index");

    /** struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; } */
    static final StructLayout RTMSG = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("rtm_family"),
            ValueLayout.JAVA_BYTE.withName("rtm_dst_len"),
            ValueLayout.JAVA_BYTE.withName("rtm_src_len"),
            ValueLayout.JAVA_BYTE.withName("rtm_tos"),
            ValueLayout.JAVA_BYTE.withName("rtm_table"),
            ValueLayout.JAVA_BYTE.withName("rtm_protocol"),
            ValueLayout.JAVA_BYTE.withName("rtm_scope"),
            ValueLayout.JAVA_BYTE.withName("rtm_type"),
            ValueLayout.JAVA_INT.withName("rtm_flags"));
    static final int RTMSG_LEN = (int) RTMSG.byteSize();
    static final long RTM_FAMILY = off(RTMSG, "rtm_family");
    static final long RTM_DST_LEN = off(RTMSG, "rtm_dst_len");
    static final long RTM_TABLE = off(RTMSG, "rtm_table");
    static final long RTM_PROTOCOL = off(RTMSG, "rtm_protocol");
    static final long RTM_SCOPE = off(RTMSG, "rtm_scope");
    static final long RTM_TYPE = off(RTMSG, "rtm_type");

    /** struct rtattr { u16 len; u16 type; } followed by the value, padded to 4. */
    static final StructLayout RTATTR = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("rta_len"),
            ValueLayout.JAVA_SHORT.withName("rta_type"));
    static final int RTATTR_LEN = (int) RTATTR.byteSize();
    static final long RTA_LEN = off(RTATTR, "rta_len");
    static final long RTA_TYPE = off(RTATTR, "rta_type");
    /** Attribute type bits; the top two are the nested and byte-order flags. */
    static final int NLA_TYPE_MASK = 0x3fff;

    static int align(int len) {
        return (len + 3) & ~3;
    }

    static long align(long len) {
        return (len + 3) & ~3L;
    }

    /** "RTM_NEWADDR" for 20. */
    static String typeName(int type) {
        return switch (type) {
            case NLMSG_NOOP -> "NLMSG_NOOP";
            case NLMSG_ERROR -> "NLMSG_ERROR";
            case NLMSG_DONE -> "NLMSG_DONE";
            case NLMSG_OVERRUN -> "NLMSG_OVERRUN";
            case RTM_NEWLINK -> "RTM_NEWLINK";
            case RTM_DELLINK -> "RTM_DELLINK";
            case RTM_GETLINK -> "RTM_GETLINK";
            case RTM_NEWADDR -> "RTM_NEWADDR";
            case RTM_DELADDR -> "RTM_DELADDR";
            case RTM_GETADDR -> "RTM_GETADDR";
            case RTM_NEWROUTE -> "RTM_NEWROUTE";
            case RTM_DELROUTE -> "RTM_DELROUTE";
            default -> "type " + type;
        };
    }

    private static long off(StructLayout layout, String field) {
        return layout.byteOffset(PathElement.groupElement(field));
    }

    /**
     * The NLMSGERR_ATTR_MSG text of the error message under {@code cursor} in {@code rx}, if
     * the kernel sent one (extended ack); {@code attrs} is borrowed to walk the TLVs.
     */
    static String extAckMessage(MemorySegment rx, MessageCursor cursor, AttrCursor attrs) {
        if ((cursor.flags() & NLM_F_ACK_TLVS) == 0 || cursor.payloadLength() < NLMSGERR_LEN) {
            return null;
        }
        long tlvs = cursor.payload() + NLMSGERR_LEN;
        if ((cursor.flags() & NLM_F_CAPPED) == 0) {
            long origLen = Integer.toUnsignedLong(rx.get(ValueLayout.JAVA_INT_UNALIGNED, cursor.payload() + 4));
            tlvs = cursor.payload() + 4 + align(origLen);
        }
        if (tlvs >= cursor.payloadEnd()) {
            return null;
        }
        attrs.reset(rx, tlvs, cursor.payloadEnd());
        while (attrs.next()) {
            if (attrs.type() == NLMSGERR_ATTR_MSG) {
                return attrs.stringValue();
            }
        }
        return null;
    }

    /** {@code hint} with the kernel's own message appended ({@code kernel: ...}), either may be null. */
    static String withKernelMessage(String hint, String kernel) {
        if (kernel == null || kernel.isBlank()) {
            return hint;
        }
        return hint == null ? "kernel: " + kernel : hint + "; kernel: " + kernel;
    }
}
