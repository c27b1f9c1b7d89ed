package org.cunicu4j.proxy.ipt;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.socket.SocketConstants;
import org.cunicu4j.linux.socket.Sockets;

/**
 * The UDP entries of the connection-tracking table of the calling thread's network namespace,
 * read and deleted through ctnetlink ({@code NETLINK_NETFILTER}, subsystem
 * {@code NFNL_SUBSYS_CTNETLINK}): what {@code conntrack -L}/{@code -D} do, without the tool.
 *
 * <p>iptables' NAT targets decide once per connection, on its first packet; a connection
 * tracked before a rule existed (WireGuard sending from its port to a remote before the pair
 * was selected) keeps its untranslated mapping for as long as packets refresh it.
 * {@link #delete} removes such entries so that the next packet is translated by the rules
 * in force.
 *
 * <p>Each call opens a socket of its own in the calling thread's namespace and closes it
 * before returning; stateless, thread-safe.
 */
final class Conntrack {
    private static final int NETLINK_NETFILTER = 12;
    private static final int NFNL_SUBSYS_CTNETLINK = 1;
    private static final int IPCTNL_MSG_CT_NEW = 0;
    private static final int IPCTNL_MSG_CT_GET = 1;
    private static final int IPCTNL_MSG_CT_DELETE = 2;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLA_TYPE_MASK = 0x3fff;
    private static final int NLA_F_NESTED = 0x8000;

    private static final int CTA_TUPLE_ORIG = 1;
    private static final int CTA_TUPLE_REPLY = 2;
    private static final int CTA_ZONE = 18;
    private static final int CTA_TUPLE_IP = 1;
    private static final int CTA_TUPLE_PROTO = 2;
    private static final int CTA_IP_V4_SRC = 1;
    private static final int CTA_IP_V4_DST = 2;
    private static final int CTA_IP_V6_SRC = 3;
    private static final int CTA_IP_V6_DST = 4;
    private static final int CTA_PROTO_NUM = 1;
    private static final int CTA_PROTO_SRC_PORT = 2;
    private static final int CTA_PROTO_DST_PORT = 3;

    private static final int SO_RCVTIMEO = 20;
    private static final int HEADER = 16;
    private static final int NFGENMSG = 4;
    private static final int BUFFER = 256 * 1024;

    /**
     * One tracked UDP connection: its original direction (as its first packet went) and the
     * reply direction (after NAT: a translated connection's reply goes to the translated address).
     */
    record Flow(int family, InetSocketAddress origSrc, InetSocketAddress origDst, InetSocketAddress replySrc,
            InetSocketAddress replyDst, byte[] deleteAttrs) {
        @Override
        public String toString() {
            return "udp " + origSrc + " -> " + origDst + " (reply " + replySrc + " -> " + replyDst + ")";
        }
    }

    private Conntrack() {}

    /** Fails unless ctnetlink answers here (a dump of IPv4 entries, none of them kept). */
    static void check() throws IOException {
        list(SocketConstants.AF_INET, new int[0]);
    }

    /** The UDP entries of {@code family} ({@code AF_INET} or {@code AF_INET6}). */
    static List<Flow> list(int family) throws IOException {
        return list(family, null);
    }

    /**
     * The UDP entries of {@code family} with one of {@code ports} (null: any) as a source or
     * destination port of either direction; the others are passed over without being
     * decoded (a dump has every connection of the host).
     */
    static List<Flow> list(int family, int[] ports) throws IOException {
        int fd = open();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER, 8);
            int seq = 1;
            ByteBuffer req = request(IPCTNL_MSG_CT_GET, NLM_F_REQUEST | NLM_F_DUMP, seq, family, new byte[0]);
            send(fd, buf, req, "dump");
            List<Flow> out = new ArrayList<>();
            while (true) {
                ByteBuffer in = receive(fd, buf, "dump");
                if (parse(in, seq, family, ports, out)) {
                    return out;
                }
            }
        } finally {
            Sockets.close(fd);
        }
    }

    /**
     * Deletes the UDP entries of {@code family} with one of {@code ports} (see
     * {@link #list(int, int[])}) that {@code which} accepts.
     *
     * @return how many were deleted (an entry gone meanwhile is not counted, nor an error)
     */
    static int delete(int family, int[] ports, Predicate<Flow> which) throws IOException {
        List<Flow> doomed = list(family, ports).stream().filter(which).toList();
        if (doomed.isEmpty()) {
            return 0;
        }
        int fd = open();
        int deleted = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER, 8);
            int seq = 100;
            for (Flow f : doomed) {
                seq++;
                send(fd, buf, request(IPCTNL_MSG_CT_DELETE, NLM_F_REQUEST | NLM_F_ACK, seq, family, f.deleteAttrs()),
                        "delete " + f);
                int error = ack(receive(fd, buf, "delete " + f), seq);
                if (error == 0) {
                    deleted++;
                } else if (error != Errno.ENOENT) {
                    throw new LinuxException("ctnetlink delete(" + f + ")", error);
                }
            }
        } finally {
            Sockets.close(fd);
        }
        return deleted;
    }

    private static int open() throws IOException {
        int fd;
        try {
            fd = Sockets.socket(SocketConstants.AF_NETLINK, SocketConstants.SOCK_RAW, NETLINK_NETFILTER, "NETLINK_NETFILTER");
        } catch (LinuxException e) {
            throw new LinuxException(e.call(), e.errno(), "ctnetlink needs CONFIG_NF_CT_NETLINK (modprobe nf_conntrack_netlink)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment local = arena.allocate(12, 4);
            local.set(ValueLayout.JAVA_SHORT, 0, (short) SocketConstants.AF_NETLINK);
            Sockets.bind(fd, local, 12);
            MemorySegment tv = arena.allocate(16, 8);
            tv.set(ValueLayout.JAVA_LONG, 0, 5); // seconds: the kernel answers at once
            Sockets.setOption(fd, SocketConstants.SOL_SOCKET, SO_RCVTIMEO, tv, "5 s");
            return fd;
        } catch (IOException | RuntimeException e) {
            Sockets.close(fd);
            throw e;
        }
    }

    private static ByteBuffer request(int msg, int flags, int seq, int family, byte[] attrs) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + NFGENMSG + attrs.length).order(ByteOrder.nativeOrder());
        b.putInt(b.capacity());
        b.putShort((short) (NFNL_SUBSYS_CTNETLINK << 8 | msg));
        b.putShort((short) flags);
        b.putInt(seq);
        b.putInt(0);
        b.put((byte) family).put((byte) 0).putShort((short) 0);
        b.put(attrs);
        return b.flip();
    }

    private static void send(int fd, MemorySegment buf, ByteBuffer msg, String what) throws IOException {
        int len = msg.remaining();
        MemorySegment.copy(MemorySegment.ofBuffer(msg), 0, buf, 0, len);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment kernel = arena.allocate(12, 4);
            kernel.set(ValueLayout.JAVA_SHORT, 0, (short) SocketConstants.AF_NETLINK);
            long n = Sockets.sendto(fd, buf, len, 0, kernel, 12);
            if (n < 0) {
                throw new LinuxException("sendto(NETLINK_NETFILTER, ctnetlink " + what + ")", (int) -n);
            }
        }
    }

    private static ByteBuffer receive(int fd, MemorySegment buf, String what) throws IOException {
        while (true) {
            long n = Sockets.recvfrom(fd, buf, buf.byteSize(), 0, MemorySegment.NULL, MemorySegment.NULL);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                throw new LinuxException("recv(NETLINK_NETFILTER, ctnetlink " + what + ")", (int) -n,
                        n == -Errno.EAGAIN ? "the kernel did not answer within 5 s" : null);
            }
            // a view, read before the next receive into the same buffer
            return buf.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
        }
    }

    /** The error of the acknowledgement of request {@code seq} (0: done), as a positive errno. */
    private static int ack(ByteBuffer in, int seq) throws IOException {
        while (in.remaining() >= HEADER) {
            int start = in.position();
            int len = in.getInt(start);
            int type = in.getShort(start + 4) & 0xffff;
            int mseq = in.getInt(start + 8);
            if (len < HEADER || len > in.remaining()) {
                break;
            }
            if (type == NLMSG_ERROR && mseq == seq && len >= HEADER + 4) {
                return -in.getInt(start + HEADER);
            }
            in.position(start + align(len));
        }
        throw new IOException("ctnetlink: no acknowledgement of request " + seq + " in the kernel's answer");
    }

    /** As {@link #parse(ByteBuffer, int, int, int[], List)} keeping every family and port. */
    static boolean parse(ByteBuffer in, int seq, List<Flow> out) throws LinuxException {
        return parse(in, seq, 0, null, out);
    }

    /**
     * Adds the UDP entries of one received datagram of a dump to {@code out}: those of
     * {@code family} (0: any; older kernels dump every family) with one of {@code ports}
     * (null: any) in either tuple, told apart before anything is allocated. Malformed
     * messages and attributes are skipped.
     *
     * @return true once the dump is done
     * @throws LinuxException when the kernel answered the dump with an error
     */
    static boolean parse(ByteBuffer in, int seq, int family, int[] ports, List<Flow> out) throws LinuxException {
        int pos = in.position();
        int end = in.limit();
        while (end - pos >= HEADER) {
            int len = in.getInt(pos);
            if (len < HEADER || len > end - pos) {
                return false;
            }
            int type = in.getShort(pos + 4) & 0xffff;
            int mseq = in.getInt(pos + 8);
            if (mseq == seq) {
                if (type == NLMSG_DONE) {
                    return true;
                }
                if (type == NLMSG_ERROR) {
                    int error = len >= HEADER + 4 ? -in.getInt(pos + HEADER) : Errno.EIO;
                    if (error == 0) {
                        return true;
                    }
                    throw new LinuxException("ctnetlink dump", error,
                            "connection tracking of this namespace cannot be read (needs CAP_NET_ADMIN)");
                }
                if (type == (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW) && len >= HEADER + NFGENMSG) {
                    Flow f = flow(in, pos + HEADER, pos + len, family, ports);
                    if (f != null) {
                        out.add(f);
                    }
                }
            }
            pos += align(len);
        }
        return false;
    }

    private static Flow flow(ByteBuffer in, int body, int end, int wantFamily, int[] ports) {
        int family = in.get(body) & 0xff;
        if (wantFamily != 0 && family != wantFamily) {
            return null;
        }
        int orig = -1;
        int origLen = 0;
        int reply = -1;
        int replyLen = 0;
        int zone = -1;
        int zoneLen = 0;
        int a = body + NFGENMSG;
        while (end - a >= 4) {
            int alen = in.getShort(a) & 0xffff;
            int atype = in.getShort(a + 2) & NLA_TYPE_MASK;
            if (alen < 4 || alen > end - a) {
                return null;
            }
            switch (atype) {
                case CTA_TUPLE_ORIG -> {
                    orig = a;
                    origLen = alen;
                }
                case CTA_TUPLE_REPLY -> {
                    reply = a;
                    replyLen = alen;
                }
                case CTA_ZONE -> {
                    zone = a;
                    zoneLen = alen;
                }
                default -> { }
            }
            a += align(alen);
        }
        if (orig < 0 || reply < 0) {
            return null;
        }
        if (ports != null && !(hasPort(udpPorts(in, orig + 4, orig + origLen), ports)
                || hasPort(udpPorts(in, reply + 4, reply + replyLen), ports))) {
            return null; // not UDP, malformed, or none of the ports: nothing allocated
        }
        InetSocketAddress[] o = tuple(in, orig + 4, orig + origLen);
        InetSocketAddress[] r = tuple(in, reply + 4, reply + replyLen);
        if (o == null || r == null) {
            return null;
        }
        int attrsLen = align(origLen) + (zone < 0 ? 0 : align(zoneLen));
        byte[] attrs = new byte[attrsLen];
        in.get(orig, attrs, 0, origLen);
        // the nested flag, in case the kernel left it off (nla_type is host order)
        ByteBuffer type = ByteBuffer.wrap(attrs).order(ByteOrder.nativeOrder());
        type.putShort(2, (short) (type.getShort(2) | NLA_F_NESTED));
        if (zone >= 0) {
            in.get(zone, attrs, align(origLen), zoneLen);
        }
        return new Flow(family, o[0], o[1], r[0], r[1], attrs);
    }

    private static boolean hasPort(long packed, int[] ports) {
        if (packed < 0) {
            return false;
        }
        int sport = (int) (packed >>> 16);
        int dport = (int) (packed & 0xffff);
        for (int p : ports) {
            if (p == sport || p == dport) {
                return true;
            }
        }
        return false;
    }

    /**
     * A UDP tuple's ports read in place, {@code sport << 16 | dport}; -1 for another protocol,
     * missing ports or a malformed tuple.
     */
    private static long udpPorts(ByteBuffer in, int a, int end) {
        int proto = -1;
        int sport = -1;
        int dport = -1;
        while (end - a >= 4) {
            int alen = in.getShort(a) & 0xffff;
            int atype = in.getShort(a + 2) & NLA_TYPE_MASK;
            if (alen < 4 || alen > end - a) {
                return -1;
            }
            if (atype == CTA_TUPLE_PROTO) {
                int inner = a + 4;
                int innerEnd = a + alen;
                while (innerEnd - inner >= 4) {
                    int blen = in.getShort(inner) & 0xffff;
                    int btype = in.getShort(inner + 2) & NLA_TYPE_MASK;
                    if (blen < 4 || blen > innerEnd - inner) {
                        return -1;
                    }
                    int vlen = blen - 4;
                    int v = inner + 4;
                    if (btype == CTA_PROTO_NUM && vlen >= 1) {
                        proto = in.get(v) & 0xff;
                    } else if (btype == CTA_PROTO_SRC_PORT && vlen >= 2) {
                        sport = be16(in, v);
                    } else if (btype == CTA_PROTO_DST_PORT && vlen >= 2) {
                        dport = be16(in, v);
                    }
                    inner += align(blen);
                }
            }
            a += align(alen);
        }
        return proto == SocketConstants.IPPROTO_UDP && sport >= 0 && dport >= 0 ? (long) sport << 16 | dport : -1;
    }

    /** {source, destination} of a UDP tuple; null for another protocol or a malformed one. */
    private static InetSocketAddress[] tuple(ByteBuffer in, int a, int end) {
        byte[] src = null;
        byte[] dst = null;
        int proto = -1;
        int sport = -1;
        int dport = -1;
        while (end - a >= 4) {
            int alen = in.getShort(a) & 0xffff;
            int atype = in.getShort(a + 2) & NLA_TYPE_MASK;
            if (alen < 4 || alen > end - a) {
                return null;
            }
            int inner = a + 4;
            int innerEnd = a + alen;
            while (innerEnd - inner >= 4) {
                int blen = in.getShort(inner) & 0xffff;
                int btype = in.getShort(inner + 2) & NLA_TYPE_MASK;
                if (blen < 4 || blen > innerEnd - inner) {
                    return null;
                }
                int vlen = blen - 4;
                int v = inner + 4;
                if (atype == CTA_TUPLE_IP) {
                    if ((btype == CTA_IP_V4_SRC || btype == CTA_IP_V6_SRC) && (vlen == 4 || vlen == 16)) {
                        src = new byte[vlen];
                        in.get(v, src);
                    } else if ((btype == CTA_IP_V4_DST || btype == CTA_IP_V6_DST) && (vlen == 4 || vlen == 16)) {
                        dst = new byte[vlen];
                        in.get(v, dst);
                    }
                } else if (atype == CTA_TUPLE_PROTO) {
                    if (btype == CTA_PROTO_NUM && vlen >= 1) {
                        proto = in.get(v) & 0xff;
                    } else if (btype == CTA_PROTO_SRC_PORT && vlen >= 2) {
                        sport = be16(in, v);
                    } else if (btype == CTA_PROTO_DST_PORT && vlen >= 2) {
                        dport = be16(in, v);
                    }
                }
                inner += align(blen);
            }
            a += align(alen);
        }
        if (proto != SocketConstants.IPPROTO_UDP || src == null || dst == null || sport < 0 || dport < 0) {
            return null;
        }
        try {
            return new InetSocketAddress[] {
                new InetSocketAddress(InetAddress.getByAddress(src), sport),
                new InetSocketAddress(InetAddress.getByAddress(dst), dport)};
        } catch (UnknownHostException e) {
            return null; // not reached: lengths are 4 or 16
        }
    }

    private static int be16(ByteBuffer in, int at) {
        return (in.get(at) & 0xff) << 8 | (in.get(at + 1) & 0xff);
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }
}
