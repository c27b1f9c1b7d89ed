package org.cunicu4j.wireguard.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;
import org.cunicu4j.linux.WakeableFd;
import org.cunicu4j.linux.netlink.RtNetlink;

/**
 * A Linux TUN interface with {@code IFF_VNET_HDR} and TSO/checksum offload
 * ({@code TUNSETOFFLOAD TUN_F_CSUM|TUN_F_TSO4|TUN_F_TSO6}): the kernel hands out TCP
 * super-packets of up to 64 KB in one read, which {@link TsoSegmenter} cuts into MTU-sized
 * packets, so one system call feeds a whole batch. Single packets are written with a zero vnet
 * header (flags 0: the kernel verifies TCP/UDP checksums as for any received packet; WireGuard's
 * authentication says nothing about what the peer put inside); only GRO super-packets carry
 * {@code NEEDS_CSUM}. Switch it off with
 * {@code DeviceOptions.withTunOffload(false)} to get the plain {@link LinuxTun}.
 *
 * <p>Threading: one reader; writers may be several (each write is one system call); close
 * from any thread wakes the reader.
 */
public final class VnetTun implements Tun {
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int TUN_F_TSO6 = 0x04;
    private static final int EBADFD = 77;

    private static final MethodHandle OPEN = Libc.downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL_PTR = Libc.variadicDowncall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), 2);
    private static final MethodHandle IOCTL_INT = Libc.variadicDowncall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), 2);
    private static final MethodHandle READ = Libc.downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = Libc.downcall("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    private final WakeableFd fd;
    private final String name;
    private final int index;
    private final int mtu;
    private final ByteBuffer superPacket = ByteBuffer.allocateDirect(65535 + TsoSegmenter.VNET_HDR_LEN + 64);
    private final long superPacketAddress = MemorySegment.ofBuffer(superPacket).address();
    private final TsoSegmenter segmenter = new TsoSegmenter();
    private final boolean gro = !Boolean.getBoolean("cunicu4j.wireguard.noGro");

    private VnetTun(WakeableFd fd, String name, int index, int mtu) {
        this.fd = fd;
        this.name = name;
        this.index = index;
        this.mtu = mtu;
    }

    /** Creates {@code name} with vnet headers and offloads, sets the MTU and brings it up. */
    public static VnetTun create(String name, int mtu) throws IOException {
        int raw;
        String actual;
        try (Arena arena = Arena.ofConfined()) {
            raw = (int) OPEN.invokeExact(Libc.errnoState(), arena.allocateFrom("/dev/net/tun"), O_RDWR | O_CLOEXEC);
            if (raw < 0) {
                throw new LinuxException("open(\"/dev/net/tun\", O_RDWR|O_CLOEXEC)", Libc.errno());
            }
            MemorySegment ifr = arena.allocate(40);
            byte[] nb = name.getBytes(StandardCharsets.UTF_8);
            if (nb.length > 15) {
                Libc.closeQuietly(raw);
                throw new IllegalArgumentException("TUN name \"" + name + "\" is longer than 15 bytes");
            }
            MemorySegment.copy(nb, 0, ifr, ValueLayout.JAVA_BYTE, 0, nb.length);
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR));
            check(raw, (int) IOCTL_PTR.invokeExact(Libc.errnoState(), raw, TUNSETIFF, ifr),
                    "ioctl(/dev/net/tun, TUNSETIFF, \"" + name + "\", IFF_TUN|IFF_NO_PI|IFF_VNET_HDR)");
            actual = ifr.getString(0, StandardCharsets.UTF_8);
            MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
            size.set(ValueLayout.JAVA_INT, 0, TsoSegmenter.VNET_HDR_LEN);
            check(raw, (int) IOCTL_PTR.invokeExact(Libc.errnoState(), raw, TUNSETVNETHDRSZ, size),
                    "ioctl(TUN " + actual + ", TUNSETVNETHDRSZ, 10)");
            check(raw, (int) IOCTL_INT.invokeExact(Libc.errnoState(), raw, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)),
                    "ioctl(TUN " + actual + ", TUNSETOFFLOAD, TUN_F_CSUM|TUN_F_TSO4|TUN_F_TSO6)");
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        WakeableFd wfd = new WakeableFd(raw, "TUN " + actual);
        try (RtNetlink rt = RtNetlink.open()) {
            int idx = rt.link(actual).index();
            rt.setMtu(idx, mtu);
            rt.setUp(idx, true);
            return new VnetTun(wfd, actual, idx, mtu);
        } catch (IOException | RuntimeException e) {
            wfd.close();
            throw e;
        }
    }

    private static void check(int raw, int rc, String call) throws LinuxException {
        if (rc < 0) {
            int errno = Libc.errno();
            Libc.closeQuietly(raw);
            throw new LinuxException(call, errno);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    public int index() {
        return index;
    }

    /** Super-packets that could not be parsed (dropped). */
    @Override
    public long malformed() {
        return segmenter.malformed();
    }

    @Override
    public int read(ByteBuffer[] buffers, int max) throws IOException {
        while (true) {
            if (!segmenter.pending()) {
                int n = (int) transfer(superPacketAddress, superPacket.capacity(), false);
                superPacket.order(ByteOrder.BIG_ENDIAN);
                segmenter.start(superPacket, n);
            }
            int got = segmenter.drain(buffers, max);
            if (got > 0) {
                return got;
            }
        }
    }

    @Override
    public int writeHeadroom() {
        return TsoSegmenter.VNET_HDR_LEN;
    }

    @Override
    public boolean write(ByteBuffer packet) throws IOException {
        int pos = packet.position();
        if (pos < TsoSegmenter.VNET_HDR_LEN || !packet.isDirect()) {
            throw new IllegalArgumentException("VnetTun.write needs a direct buffer with " + TsoSegmenter.VNET_HDR_LEN
                    + " bytes of headroom before the packet");
        }
        int h = pos - TsoSegmenter.VNET_HDR_LEN;
        for (int i = 0; i < TsoSegmenter.VNET_HDR_LEN; i++) {
            packet.put(h + i, (byte) 0);
        }
        long base = MemorySegment.ofBuffer(packet.duplicate().clear()).address();
        long n = transfer(base + h, packet.limit() - h, true);
        return n >= 0;
    }

    /** Writes {@code buf} from position to limit as it is: a vnet header the caller made, then the packet. */
    boolean writeRaw(ByteBuffer buf) throws IOException {
        long base = MemorySegment.ofBuffer(buf.duplicate().clear()).address();
        return transfer(base + buf.position(), buf.remaining(), true) >= 0;
    }

    /** A writer that joins TCP segments of one flow into GSO super-packets between flushes (when {@code gro} is on). */
    @Override
    public TunWriter newWriter() {
        if (!gro) {
            return Tun.super.newWriter();
        }
        return new GroWriter(new GroWriter.Sink() {
            @Override
            public boolean write(ByteBuffer packet) throws IOException {
                return VnetTun.this.write(packet);
            }

            @Override
            public boolean writeRaw(ByteBuffer headerAndPacket) throws IOException {
                return VnetTun.this.writeRaw(headerAndPacket);
            }
        });
    }

    private long transfer(long at, long len, boolean write) throws IOException {
        int raw = fd.acquire();
        try {
            while (true) {
                long n = write ? (long) WRITE.invokeExact(Libc.errnoState(), raw, at, len)
                        : (long) READ.invokeExact(Libc.errnoState(), raw, at, len);
                if (n >= 0) {
                    return n;
                }
                int errno = Libc.errno();
                if (errno == Errno.EAGAIN) {
                    if (write) {
                        fd.awaitWritable();
                    } else {
                        fd.awaitReadable();
                    }
                } else if (errno == Errno.EINTR) {
                    continue;
                } else if (write && errno != Errno.EBADF && errno != EBADFD && errno != Errno.EFAULT) {
                    return -errno;
                } else {
                    throw fd.failure((write ? "write(" : "read(") + fd.description() + ")", errno);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            fd.release();
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "VnetTun[" + name + ", mtu " + mtu + ", TSO]";
    }
}
