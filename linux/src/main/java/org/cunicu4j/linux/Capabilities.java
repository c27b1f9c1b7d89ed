package org.cunicu4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Linux capabilities of the <em>calling thread</em>, read and dropped with the raw
 * {@code capget}/{@code capset} calls ({@code _LINUX_CAPABILITY_VERSION_3}).
 *
 * <p>Capabilities belong to a thread, not to the process: dropping them here affects only
 * the calling thread, and for good (a thread cannot regain a permitted capability). Tests
 * use this on a throwaway platform thread to act as an unprivileged user while the rest of
 * the JVM stays root. Never call {@link #dropOnCurrentThread} on a pooled or virtual thread.
 */
public final class Capabilities {
    /** Configure interfaces, addresses, routes; create TUN devices. */
    public static final int CAP_NET_ADMIN = 12;
    /** Raw and packet sockets. */
    public static final int CAP_NET_RAW = 13;
    /** The catch-all: setns, mount, and more. */
    public static final int CAP_SYS_ADMIN = 21;

    private static final int VERSION_3 = 0x20080522;

    /** struct __user_cap_header_struct { __u32 version; int pid; } */
    private static final StructLayout HEADER = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("version"),
            ValueLayout.JAVA_INT.withName("pid"));
    /** struct __user_cap_data_struct { __u32 effective, permitted, inheritable; } */
    private static final StructLayout DATA = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("effective"),
            ValueLayout.JAVA_INT.withName("permitted"),
            ValueLayout.JAVA_INT.withName("inheritable"));
    /** Version 3 uses two data structs: capabilities 0-31 and 32-63. */
    private static final MemoryLayout DATA_PAIR = MemoryLayout.sequenceLayout(2, DATA);

    private static final long VERSION = HEADER.byteOffset(PathElement.groupElement("version"));
    private static final long PID = HEADER.byteOffset(PathElement.groupElement("pid"));
    private static final long EFFECTIVE = DATA.byteOffset(PathElement.groupElement("effective"));
    private static final long PERMITTED = DATA.byteOffset(PathElement.groupElement("permitted"));
    private static final long INHERITABLE = DATA.byteOffset(PathElement.groupElement("inheritable"));

    private static final MethodHandle CAPGET = Libc.downcall("capget",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle CAPSET = Libc.downcall("capset",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private Capabilities() {}

    /** Whether {@code cap} is in the calling thread's effective set. */
    public static boolean has(int cap) throws LinuxException {
        checkCap(cap);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = header(arena);
            MemorySegment data = arena.allocate(DATA_PAIR);
            capget(header, data);
            int word = data.get(ValueLayout.JAVA_INT, (cap / 32) * DATA.byteSize() + EFFECTIVE);
            return (word & (1 << (cap % 32))) != 0;
        }
    }

    /**
     * Removes {@code caps} from the calling thread's effective, permitted and inheritable
     * sets. Irreversible for this thread; other threads keep theirs.
     */
    public static void dropOnCurrentThread(int... caps) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = header(arena);
            MemorySegment data = arena.allocate(DATA_PAIR);
            capget(header, data);
            StringBuilder names = new StringBuilder();
            for (int cap : caps) {
                checkCap(cap);
                long base = (cap / 32) * DATA.byteSize();
                int mask = ~(1 << (cap % 32));
                for (long field : new long[] {EFFECTIVE, PERMITTED, INHERITABLE}) {
                    data.set(ValueLayout.JAVA_INT, base + field, data.get(ValueLayout.JAVA_INT, base + field) & mask);
                }
                names.append(names.isEmpty() ? "" : ", ").append(name(cap));
            }
            header.set(ValueLayout.JAVA_INT, VERSION, VERSION_3);
            header.set(ValueLayout.JAVA_INT, PID, 0);
            int rc = (int) CAPSET.invokeExact(Libc.errnoState(), header, data);
            LinuxException.check(rc, "capset(drop " + names + ")");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** "CAP_NET_ADMIN" for 12; "CAP_42" for a number without a name here. */
    public static String name(int cap) {
        return switch (cap) {
            case 0 -> "CAP_CHOWN";
            case 1 -> "CAP_DAC_OVERRIDE";
            case 7 -> "CAP_SETUID";
            case 10 -> "CAP_NET_BIND_SERVICE";
            case CAP_NET_ADMIN -> "CAP_NET_ADMIN";
            case CAP_NET_RAW -> "CAP_NET_RAW";
            case CAP_SYS_ADMIN -> "CAP_SYS_ADMIN";
            default -> "CAP_" + cap;
        };
    }

    private static MemorySegment header(Arena arena) {
        MemorySegment header = arena.allocate(HEADER);
        header.set(ValueLayout.JAVA_INT, VERSION, VERSION_3);
        header.set(ValueLayout.JAVA_INT, PID, 0); // 0: the calling thread
        return header;
    }

    private static void capget(MemorySegment header, MemorySegment data) throws LinuxException {
        try {
            int rc = (int) CAPGET.invokeExact(Libc.errnoState(), header, data);
            LinuxException.check(rc, "capget(_LINUX_CAPABILITY_VERSION_3, 0)");
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static void checkCap(int cap) {
        if (cap < 0 || cap > 63) {
            throw new IllegalArgumentException("capability number must be 0-63, got " + cap);
        }
    }
}
