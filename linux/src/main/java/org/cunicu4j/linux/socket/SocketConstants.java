package org.cunicu4j.linux.socket;

/**
 * Socket constants of x86_64 Linux and their symbolic names, used to build call text such
 * as {@code socket(AF_INET, SOCK_RAW, IPPROTO_UDP)}.
 */
public final class SocketConstants {
    private SocketConstants() {}

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;

    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_RAW = 255;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_DETACH_FILTER = 27;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_MARK = 36;

    public static final int IP_HDRINCL = 3;
    public static final int IP_PKTINFO = 8;

    public static final int IPV6_CHECKSUM = 7;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;

    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_CTRUNC = 0x08;
    public static final int MSG_WAITFORONE = 0x10000;

    /** "AF_INET", "AF_INET6", "AF_NETLINK", or the number. */
    public static String familyName(int family) {
        return switch (family) {
            case AF_INET -> "AF_INET";
            case AF_INET6 -> "AF_INET6";
            case AF_NETLINK -> "AF_NETLINK";
            default -> Integer.toString(family);
        };
    }

    /** "SOCK_DGRAM", "SOCK_RAW" (flags such as SOCK_CLOEXEC are not shown), or the number. */
    public static String typeName(int type) {
        int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
        return switch (base) {
            case SOCK_DGRAM -> "SOCK_DGRAM";
            case SOCK_RAW -> "SOCK_RAW";
            default -> Integer.toString(base);
        };
    }

    /** "IPPROTO_UDP", ... or the number. */
    public static String protocolName(int protocol) {
        return switch (protocol) {
            case IPPROTO_IP -> "IPPROTO_IP";
            case IPPROTO_UDP -> "IPPROTO_UDP";
            case IPPROTO_IPV6 -> "IPPROTO_IPV6";
            case IPPROTO_RAW -> "IPPROTO_RAW";
            default -> Integer.toString(protocol);
        };
    }

    /** "SOL_SOCKET", "IPPROTO_IP", "IPPROTO_IPV6", or the number. */
    public static String levelName(int level) {
        return level == SOL_SOCKET ? "SOL_SOCKET" : protocolName(level);
    }

    /** The option's name at its level ("SO_MARK", "IPV6_V6ONLY"), or the number. */
    public static String optionName(int level, int option) {
        String name = switch (level) {
            case SOL_SOCKET -> switch (option) {
                case SO_REUSEADDR -> "SO_REUSEADDR";
                case SO_SNDBUF -> "SO_SNDBUF";
                case SO_RCVBUF -> "SO_RCVBUF";
                case SO_ATTACH_FILTER -> "SO_ATTACH_FILTER";
                case SO_DETACH_FILTER -> "SO_DETACH_FILTER";
                case SO_SNDBUFFORCE -> "SO_SNDBUFFORCE";
                case SO_RCVBUFFORCE -> "SO_RCVBUFFORCE";
                case SO_MARK -> "SO_MARK";
                default -> null;
            };
            case IPPROTO_IP -> switch (option) {
                case IP_HDRINCL -> "IP_HDRINCL";
                case IP_PKTINFO -> "IP_PKTINFO";
                default -> null;
            };
            case IPPROTO_IPV6 -> switch (option) {
                case IPV6_CHECKSUM -> "IPV6_CHECKSUM";
                case IPV6_V6ONLY -> "IPV6_V6ONLY";
                case IPV6_RECVPKTINFO -> "IPV6_RECVPKTINFO";
                case IPV6_PKTINFO -> "IPV6_PKTINFO";
                default -> null;
            };
            default -> null;
        };
        return name != null ? name : Integer.toString(option);
    }
}
