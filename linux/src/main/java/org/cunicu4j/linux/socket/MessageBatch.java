package org.cunicu4j.linux.socket;

import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IP;
import static org.cunicu4j.linux.socket.SocketConstants.IPPROTO_IPV6;
import static org.cunicu4j.linux.socket.SocketConstants.IPV6_PKTINFO;
import static org.cunicu4j.linux.socket.SocketConstants.IP_PKTINFO;
import static org.cunicu4j.linux.socket.SocketConstants.MSG_TRUNC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The native side of a batch for {@code recvmmsg}/{@code sendmmsg}: an array of
 * {@code struct mmsghdr}, one {@code struct iovec} per slot, a {@code sockaddr_in6}-sized
 * name buffer per slot and a control buffer per slot (for IP_PKTINFO/IPV6_PKTINFO),
 * all allocated once when the batch is made and reused for every call.
 *
 * <p>Each slot's iovec points either at a buffer of this batch ({@link #withBuffers}) or at
 * memory the caller attaches with {@link #setBuffer} (for example a direct
 * {@code ByteBuffer} through {@link MemorySegment#ofBuffer}); attached segments are
 * referenced until replaced, so their memory stays alive. Memory is freed by the garbage
 * collector when the batch is unreachable. Not thread-safe: one batch belongs to one
 * thread at a time.
 */
public final class MessageBatch {
    /** Bytes of control buffer per slot: room for IPV6_PKTINFO and IP_PKTINFO together. */
    public static final int CONTROL_SIZE = 128;

    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("iov_base"),
            ValueLayout.JAVA_LONG.withName("iov_len"));
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("msg_name"),
            ValueLayout.JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("msg_iov"),
            ValueLayout.JAVA_LONG.withName("msg_iovlen"),
            ValueLayout.ADDRESS.withName("msg_control"),
            ValueLayout.JAVA_LONG.withName("msg_controllen"),
            ValueLayout.JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"),
            ValueLayout.JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4));
    static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("cmsg_len"),
            ValueLayout.JAVA_INT.withName("cmsg_level"),
            ValueLayout.JAVA_INT.withName("cmsg_type"));
    static final StructLayout IN_PKTINFO = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("ipi_ifindex"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("ipi_spec_dst"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("ipi_addr"));
    static final StructLayout IN6_PKTINFO = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("ipi6_addr"),
            ValueLayout.JAVA_INT.withName("ipi6_ifindex"));

    private static final long MMSG_SIZE = MMSGHDR.byteSize();
    private static final long IOV_SIZE = IOVEC.byteSize();
    private static final long NAME_SIZE = 32;
    private static final long IOV_BASE = offset(IOVEC, "iov_base");
    private static final long IOV_LEN = offset(IOVEC, "iov_len");
    private static final long MSG_NAME = offset(MSGHDR, "msg_name");
    private static final long MSG_NAMELEN = offset(MSGHDR, "msg_namelen");
    private static final long MSG_IOV = offset(MSGHDR, "msg_iov");
    private static final long MSG_IOVLEN = offset(MSGHDR, "msg_iovlen");
    private static final long MSG_CONTROL = offset(MSGHDR, "msg_control");
    private static final long MSG_CONTROLLEN = offset(MSGHDR, "msg_controllen");
    private static final long MSG_FLAGS = offset(MSGHDR, "msg_flags");
    private static final long MSG_LEN = offset(MMSGHDR, "msg_len");
    private static final long CMSG_LEVEL = offset(CMSGHDR, "cmsg_level");
    private static final long CMSG_TYPE = offset(CMSGHDR, "cmsg_type");
    private static final long CMSG_DATA = CMSGHDR.byteSize();
    private static final long IPI_IFINDEX = offset(IN_PKTINFO, "ipi_ifindex");
    private static final long IPI_ADDR = offset(IN_PKTINFO, "ipi_addr");
    private static final long IPI6_ADDR = offset(IN6_PKTINFO, "ipi6_addr");
    private static final long IPI6_IFINDEX = offset(IN6_PKTINFO, "ipi6_ifindex");

    private final int capacity;
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private final MemorySegment names;
    private final MemorySegment controls;
    private final MemorySegment[] nameSlices;
    /** {@code msgs} from each slot on, for sends that resume after a partial one. */
    private final MemorySegment[] vectors;
    private final MemorySegment[] attached;
    private final MemorySegment[] ownBuffers;

    private MessageBatch(int capacity, int bufferSize) {
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("capacity must be 1..1024 (UIO_MAXIOV), got " + capacity);
        }
        this.capacity = capacity;
        Arena arena = Arena.ofAuto();
        msgs = arena.allocate(MMSG_SIZE * capacity, 8);
        iovs = arena.allocate(IOV_SIZE * capacity, 8);
        names = arena.allocate(NAME_SIZE * capacity, 8);
        controls = arena.allocate((long) CONTROL_SIZE * capacity, 8);
        attached = new MemorySegment[capacity];
        nameSlices = new MemorySegment[capacity];
        vectors = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            nameSlices[i] = names.asSlice(i * NAME_SIZE, NAME_SIZE);
            vectors[i] = msgs.asSlice(i * MMSG_SIZE);
            long m = i * MMSG_SIZE;
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_NAME, names.address() + i * NAME_SIZE);
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_IOV, iovs.address() + i * IOV_SIZE);
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_IOVLEN, 1L);
        }
        if (bufferSize > 0) {
            MemorySegment all = arena.allocate((long) bufferSize * capacity, 16);
            ownBuffers = new MemorySegment[capacity];
            for (int i = 0; i < capacity; i++) {
                ownBuffers[i] = all.asSlice((long) i * bufferSize, bufferSize);
                setBuffer(i, ownBuffers[i]);
            }
        } else {
            ownBuffers = null;
        }
    }

    /** A batch whose slots get their memory from {@link #setBuffer}. */
    public MessageBatch(int capacity) {
        this(capacity, 0);
    }

    /** A batch with a native buffer of {@code bufferSize} bytes per slot, attached to its iovec. */
    public static MessageBatch withBuffers(int capacity, int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive, got " + bufferSize);
        }
        return new MessageBatch(capacity, bufferSize);
    }

    public int capacity() {
        return capacity;
    }

    /** The slot's own buffer (only for {@link #withBuffers}); the full buffer, whatever was received. */
    public MemorySegment buffer(int slot) {
        if (ownBuffers == null) {
            throw new IllegalStateException("this batch has no buffers of its own");
        }
        return ownBuffers[slot];
    }

    /** Points the slot's iovec at all of {@code segment} (native memory), and keeps it alive. */
    public void setBuffer(int slot, MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("the kernel can only read native memory");
        }
        attached[slot] = segment;
        setBuffer(slot, segment.address(), segment.byteSize());
    }

    /**
     * Points the slot's iovec at {@code length} bytes at native {@code address}: for
     * callers that keep the memory alive themselves and want no segment per call.
     */
    public void setBuffer(int slot, long address, long length) {
        Objects.checkIndex(slot, capacity);
        long v = slot * IOV_SIZE;
        iovs.set(ValueLayout.JAVA_LONG, v + IOV_BASE, address);
        iovs.set(ValueLayout.JAVA_LONG, v + IOV_LEN, length);
    }

    /**
     * Sets the slot's destination for sending from a socket of {@code family}. There is no
     * scope here, so a link-local IPv6 destination goes out with scope 0 and the kernel
     * refuses that datagram alone ({@code EINVAL}), as a send returning {@code -errno} reports.
     */
    public void setDestination(int slot, int family, byte[] addr, int offset, int length, int port) {
        Objects.checkIndex(slot, capacity);
        int len = SockAddr.encode(name(slot), family, addr, offset, length, port, 0);
        msgs.set(ValueLayout.JAVA_INT, slot * MMSG_SIZE + MSG_NAMELEN, len);
    }

    public void setDestination(int slot, int family, InetSocketAddress address) {
        Objects.checkIndex(slot, capacity);
        int len = SockAddr.encode(name(slot), family, address);
        msgs.set(ValueLayout.JAVA_INT, slot * MMSG_SIZE + MSG_NAMELEN, len);
    }

    /**
     * Leaves the slot without a destination ({@code msg_namelen} 0): on an unconnected
     * socket the kernel then refuses just this datagram with {@code EDESTADDRREQ}.
     */
    public void clearDestination(int slot) {
        Objects.checkIndex(slot, capacity);
        msgs.set(ValueLayout.JAVA_INT, slot * MMSG_SIZE + MSG_NAMELEN, 0);
    }

    /** Bytes received into the slot (the kernel's {@code msg_len}); with {@link #truncated}, what fit. */
    public int length(int slot) {
        return msgs.get(ValueLayout.JAVA_INT, slot * MMSG_SIZE + MSG_LEN);
    }

    /** The slot's {@code msg_flags} after a receive (MSG_TRUNC, MSG_CTRUNC). */
    public int flags(int slot) {
        return msgs.get(ValueLayout.JAVA_INT, slot * MMSG_SIZE + MSG_FLAGS);
    }

    /** True when the datagram was larger than the slot's buffer and was cut. */
    public boolean truncated(int slot) {
        return (flags(slot) & MSG_TRUNC) != 0;
    }

    /** Copies the source address of a received slot into {@code dst}; returns 4 or 16 (v4-mapped as 4). */
    public int sourceAddress(int slot, byte[] dst, int offset) {
        return SockAddr.address(name(slot), dst, offset);
    }

    public int sourcePort(int slot) {
        return SockAddr.port(name(slot));
    }

    /** The slot's name buffer ({@code sockaddr_in}/{@code sockaddr_in6}), borrowed. */
    public MemorySegment name(int slot) {
        return nameSlices[slot];
    }

    /**
     * The interface index from the slot's IP_PKTINFO/IPV6_PKTINFO control message, or -1
     * when the socket did not ask for packet info or the message is missing.
     */
    public int packetInfoIfIndex(int slot) {
        long data = findPacketInfo(slot);
        if (data < 0) {
            return -1;
        }
        return isV6Info(slot, data)
                ? controls.get(ValueLayout.JAVA_INT_UNALIGNED, data + IPI6_IFINDEX)
                : controls.get(ValueLayout.JAVA_INT_UNALIGNED, data + IPI_IFINDEX);
    }

    /**
     * Copies the datagram's destination address (from the IP header, via packet info) into
     * {@code dst}; returns 4 or 16 (v4-mapped as 4), or 0 when there is no packet info.
     */
    public int packetInfoAddress(int slot, byte[] dst, int offset) {
        long data = findPacketInfo(slot);
        if (data < 0) {
            return 0;
        }
        if (!isV6Info(slot, data)) {
            MemorySegment.copy(controls, ValueLayout.JAVA_BYTE, data + IPI_ADDR, dst, offset, 4);
            return 4;
        }
        long a = data + IPI6_ADDR;
        boolean mapped = true;
        for (int i = 0; i < 12 && mapped; i++) {
            mapped = controls.get(ValueLayout.JAVA_BYTE, a + i) == (i < 10 ? 0 : (byte) 0xff);
        }
        if (mapped) {
            MemorySegment.copy(controls, ValueLayout.JAVA_BYTE, a + 12, dst, offset, 4);
            return 4;
        }
        MemorySegment.copy(controls, ValueLayout.JAVA_BYTE, a, dst, offset, 16);
        return 16;
    }

    /** Offset in {@code controls} of the first pktinfo payload of the slot, or -1. */
    private long findPacketInfo(int slot) {
        long base = (long) slot * CONTROL_SIZE;
        long len = msgs.get(ValueLayout.JAVA_LONG, slot * MMSG_SIZE + MSG_CONTROLLEN);
        long off = 0;
        while (off + CMSG_DATA <= len && off + CMSG_DATA <= CONTROL_SIZE) {
            long cmsgLen = controls.get(ValueLayout.JAVA_LONG, base + off);
            if (cmsgLen < CMSG_DATA) {
                return -1;
            }
            int level = controls.get(ValueLayout.JAVA_INT, base + off + CMSG_LEVEL);
            int type = controls.get(ValueLayout.JAVA_INT, base + off + CMSG_TYPE);
            if ((level == IPPROTO_IPV6 && type == IPV6_PKTINFO && cmsgLen >= CMSG_DATA + IN6_PKTINFO.byteSize())
                    || (level == IPPROTO_IP && type == IP_PKTINFO && cmsgLen >= CMSG_DATA + IN_PKTINFO.byteSize())) {
                return base + off + CMSG_DATA;
            }
            off += (cmsgLen + 7) & ~7L;
        }
        return -1;
    }

    private boolean isV6Info(int slot, long data) {
        return controls.get(ValueLayout.JAVA_INT, data - CMSG_DATA + CMSG_LEVEL) == IPPROTO_IPV6;
    }

    /** Resets the kernel-written fields of slots {@code 0..count-1} before {@code recvmmsg}. */
    void prepareReceive(int count, boolean packetInfo) {
        for (int i = 0; i < count; i++) {
            long m = i * MMSG_SIZE;
            msgs.set(ValueLayout.JAVA_INT, m + MSG_NAMELEN, SockAddr.MAX_SIZE);
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_CONTROL, packetInfo ? controls.address() + (long) i * CONTROL_SIZE : 0L);
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_CONTROLLEN, packetInfo ? CONTROL_SIZE : 0L);
            msgs.set(ValueLayout.JAVA_INT, m + MSG_FLAGS, 0);
            msgs.set(ValueLayout.JAVA_INT, m + MSG_LEN, 0);
        }
    }

    /** Clears control data of slots {@code from..from+count-1} before {@code sendmmsg}. */
    void prepareSend(int from, int count) {
        for (int i = from; i < from + count; i++) {
            long m = i * MMSG_SIZE;
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_CONTROL, 0L);
            msgs.set(ValueLayout.JAVA_LONG, m + MSG_CONTROLLEN, 0L);
            msgs.set(ValueLayout.JAVA_INT, m + MSG_FLAGS, 0);
        }
    }

    /** The {@code mmsghdr} vector starting at {@code slot}, for the syscall (made once: a partial send allocates nothing). */
    MemorySegment vector(int slot) {
        return vectors[slot];
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(PathElement.groupElement(field));
    }

    static {
        if (MMSG_SIZE != 64 || IOV_SIZE != 16 || CMSGHDR.byteSize() != 16) {
            throw new AssertionError("x86_64 layouts expected: mmsghdr 64, iovec 16, cmsghdr 16");
        }
    }
}
