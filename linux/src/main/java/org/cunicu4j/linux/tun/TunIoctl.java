package org.cunicu4j.linux.tun;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.linux.Libc;
import org.cunicu4j.linux.LinuxException;

/** Opens {@code /dev/net/tun} and binds the fd to an interface with {@code TUNSETIFF}. */
final class TunIoctl {
    static final int IFNAMSIZ = 16;
    static final short IFF_TUN = 0x0001;
    static final short IFF_MULTI_QUEUE = 0x0100;
    static final short IFF_NO_PI = 0x1000;

    private static final String DEVICE = "/dev/net/tun";
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    /** _IOW('T', 202, int) */
    private static final long TUNSETIFF = 0x400454caL;
    private static final String CAP_HINT =
            "creating a TUN device needs CAP_NET_ADMIN (run as root or grant the capability)";

    /** struct ifreq on x86_64: char ifr_name[16]; union { short ifr_flags; ... } (24 bytes). */
    private static final StructLayout IFREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, ValueLayout.JAVA_BYTE).withName("ifr_name"),
            ValueLayout.JAVA_SHORT.withName("ifr_flags"),
            MemoryLayout.paddingLayout(22));
    private static final long IFR_FLAGS = IFREQ.byteOffset(PathElement.groupElement("ifr_flags"));

    private static final MethodHandle OPEN = Libc.downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = Libc.downcall("if_nametoindex",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    /** ioctl is variadic: the third argument must be passed as one. */
    private static final MethodHandle IOCTL = Libc.variadicDowncall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), 2);

    private TunIoctl() {}

    /** The fd and the name the kernel gave the interface. */
    record Attached(int fd, String name) {}

    /** Throws {@link IllegalArgumentException} unless Linux would accept {@code name} as an interface name. */
    static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("TUN name must not be empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > IFNAMSIZ - 1) {
            throw new IllegalArgumentException("TUN name \"" + name + "\" is " + bytes
                    + " bytes; Linux interface names are at most " + (IFNAMSIZ - 1) + " bytes");
        }
        if (name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("TUN name \"" + name + "\" is not a valid interface name"
                    + " (no '/', ':', whitespace, '.' or '..')");
        }
    }

    /** Opens the clone device and attaches it to {@code name} (creating the interface if needed). */
    static Attached attach(String name, boolean multiQueue) throws LinuxException {
        short flags = (short) (IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0));
        String flagText = "IFF_TUN|IFF_NO_PI" + (multiQueue ? "|IFF_MULTI_QUEUE" : "");
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(Libc.errnoState(), arena.allocateFrom(DEVICE), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                int errno = Libc.errno();
                throw new LinuxException("open(\"" + DEVICE + "\", O_RDWR|O_CLOEXEC)", errno, openHint(errno));
            }
            MemorySegment ifr = arena.allocate(IFREQ);
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(nameBytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifr.set(ValueLayout.JAVA_SHORT, IFR_FLAGS, flags);
            int rc = (int) IOCTL.invokeExact(Libc.errnoState(), fd, TUNSETIFF, ifr);
            if (rc < 0) {
                int errno = Libc.errno();
                Libc.closeQuietly(fd);
                throw new LinuxException("ioctl(" + DEVICE + ", TUNSETIFF, \"" + name + "\", " + flagText + ")",
                        errno, setIffHint(errno, multiQueue));
            }
            return new Attached(fd, ifr.getString(0, StandardCharsets.UTF_8));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The interface index of {@code name} in the calling thread's network namespace. */
    static int indexOf(String name) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            int index = (int) IF_NAMETOINDEX.invokeExact(Libc.errnoState(), arena.allocateFrom(name));
            if (index == 0) {
                throw new LinuxException("if_nametoindex(\"" + name + "\")", Libc.errno());
            }
            return index;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }


    private static String openHint(int errno) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO -> "the tun driver is missing (modprobe tun)";
            case Errno.EPERM, Errno.EACCES -> "no permission to open " + DEVICE;
            default -> null;
        };
    }

    private static String setIffHint(int errno, boolean multiQueue) {
        return switch (errno) {
            case Errno.EPERM -> CAP_HINT;
            case Errno.EBUSY -> "the interface exists and is busy (another process holds it, or it is not a TUN device)";
            case Errno.EINVAL -> multiQueue
                    ? "the interface exists without IFF_MULTI_QUEUE, or is not a TUN device"
                    : "the interface exists with other flags (multi-queue?) or is not a TUN device";
            default -> null;
        };
    }
}
