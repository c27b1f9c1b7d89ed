package org.cunicu4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into libc with {@code errno} captured right after the call
 * ({@link Linker.Option#captureCallState}), so that no JVM activity between the call and
 * the check can overwrite it.
 *
 * <p>Handles made by {@link #downcall} take a capture segment as their first argument;
 * {@link #errnoState()} gives the calling thread's one, and {@link #errno()} reads the
 * value the last capturing call on this thread left there.
 */
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * Per-thread capture segment: allocated once per thread, never per call, and freed by
     * the collector once its thread is gone (threads come and go on the control plane).
     */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle CLOSE =
            downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Libc() {}

    /** A handle whose first parameter is the errno capture segment ({@link #errnoState()}). */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
    }

    /**
     * A capturing handle for a variadic function such as {@code ioctl}: the parameters from
     * {@code firstVariadicArg} on (counted without the capture segment) are the variadic ones.
     */
    public static MethodHandle variadicDowncall(String name, FunctionDescriptor descriptor, int firstVariadicArg) {
        return LINKER.downcallHandle(symbol(name), descriptor,
                Linker.Option.firstVariadicArg(firstVariadicArg), CAPTURE_ERRNO);
    }

    /** A handle without errno capture, for calls that cannot fail. */
    public static MethodHandle plainDowncall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** This thread's capture segment, to pass as the first argument of a capturing handle. */
    public static MemorySegment errnoState() {
        return STATE.get();
    }

    /** The errno captured by this thread's last capturing call. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /**
     * Closes {@code fd}, ignoring errors: Linux releases the descriptor even when close
     * reports one, and there is nothing a caller could do about it.
     */
    public static void closeQuietly(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(errnoState(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Rethrows what a {@code MethodHandle.invokeExact} threw: errors and runtime exceptions
     * as they are; a checked {@code Throwable} cannot come out of a downcall.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected exception from a downcall", t);
    }
}
