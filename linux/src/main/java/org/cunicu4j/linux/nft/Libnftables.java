package org.cunicu4j.linux.nft;

import java.io.FileNotFoundException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * libnftables ({@code libnftables.so.1}) through FFM: runs nft command buffers, in nft's
 * syntax or its JSON form ({@code {"nftables": [...]}}), as {@code nft -f} would, and returns
 * what nft printed. Each {@link #run} makes a context of its own ({@code nft_ctx_new}),
 * buffers output and errors, runs the buffer and frees the context; an error becomes an
 * {@link NftException} with nft's error text.
 *
 * <p>Namespace: the context's netlink socket is opened by the calling thread, so a command
 * acts on that thread's network namespace. A virtual thread runs in the JVM's first
 * namespace, whatever namespace its creator was in: call from a platform thread in the
 * namespace meant.
 *
 * <p>Thread-safe: calls are serialised by one lock for the process (libnftables' global
 * initialisation in {@code nft_ctx_new} is not documented as thread-safe, and the calls are
 * rare). The library stays loaded for the life of the JVM, and {@link #load(String)} returns
 * the one binding made for a library string (the first successful load), not a new lookup
 * and new handles on every call.
 */
public final class Libnftables {
    /** The soname looked up by default (the dynamic loader's search path). */
    public static final String DEFAULT_LIBRARY = "libnftables.so.1";

    /** {@code NFT_CTX_OUTPUT_HANDLE}: print rule handles. */
    public static final int OUTPUT_HANDLE = 1 << 3;
    /** {@code NFT_CTX_OUTPUT_JSON}: print JSON (and parse the input as JSON first). */
    public static final int OUTPUT_JSON = 1 << 4;
    /** {@code NFT_CTX_OUTPUT_ECHO}: print what was added (with {@link #OUTPUT_HANDLE}, its handle). */
    public static final int OUTPUT_ECHO = 1 << 5;

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** The bindings made so far, by the library string given to {@link #load(String)}; failures are not kept. */
    private static final ConcurrentMap<String, Libnftables> LOADED = new ConcurrentHashMap<>();

    private final String library;
    private final MethodHandle ctxNew;
    private final MethodHandle ctxFree;
    private final MethodHandle bufferOutput;
    private final MethodHandle bufferError;
    private final MethodHandle getOutput;
    private final MethodHandle getError;
    private final MethodHandle setOutputFlags;
    private final MethodHandle runCmd;

    private Libnftables(String library, SymbolLookup lookup) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        ValueLayout ptr = ValueLayout.ADDRESS;
        ValueLayout i32 = ValueLayout.JAVA_INT;
        ctxNew = handle(linker, lookup, "nft_ctx_new", FunctionDescriptor.of(ptr, i32));
        ctxFree = handle(linker, lookup, "nft_ctx_free", FunctionDescriptor.ofVoid(ptr));
        bufferOutput = handle(linker, lookup, "nft_ctx_buffer_output", FunctionDescriptor.of(i32, ptr));
        bufferError = handle(linker, lookup, "nft_ctx_buffer_error", FunctionDescriptor.of(i32, ptr));
        getOutput = handle(linker, lookup, "nft_ctx_get_output_buffer", FunctionDescriptor.of(ptr, ptr));
        getError = handle(linker, lookup, "nft_ctx_get_error_buffer", FunctionDescriptor.of(ptr, ptr));
        setOutputFlags = handle(linker, lookup, "nft_ctx_output_set_flags", FunctionDescriptor.ofVoid(ptr, i32));
        runCmd = handle(linker, lookup, "nft_run_cmd_from_buffer", FunctionDescriptor.of(i32, ptr, ptr));
    }

    private MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor d) {
        MemorySegment sym = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(library + " has no symbol " + name));
        return linker.downcallHandle(sym, d);
    }

    /** The library by its soname, {@value #DEFAULT_LIBRARY}. */
    public static Libnftables load() throws FileNotFoundException {
        return load(DEFAULT_LIBRARY);
    }

    /**
     * The library {@code library} (a soname searched as {@code dlopen} does, or a path): the
     * binding made by the first successful call with the same string, else a new one (kept).
     * Thread-safe.
     *
     * @throws FileNotFoundException when it cannot be loaded or lacks a symbol, saying
     *     {@code "<library> not found (install libnftables1)"} (a later call tries again)
     */
    public static Libnftables load(String library) throws FileNotFoundException {
        Objects.requireNonNull(library, "library");
        Libnftables known = LOADED.get(library);
        if (known != null) {
            return known;
        }
        synchronized (LOADED) { // one lookup per library string, even when callers race
            known = LOADED.get(library);
            if (known == null) {
                known = link(library);
                LOADED.put(library, known);
            }
            return known;
        }
    }

    private static Libnftables link(String library) throws FileNotFoundException {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            FileNotFoundException f = new FileNotFoundException(library + " not found (install libnftables1)");
            f.initCause(e);
            throw f;
        }
        try {
            return new Libnftables(library, lookup);
        } catch (UnsatisfiedLinkError e) {
            FileNotFoundException f = new FileNotFoundException(e.getMessage() + " (install libnftables1)");
            f.initCause(e);
            throw f;
        }
    }

    /** The library this binding loaded (as given to {@link #load(String)}). */
    public String library() {
        return library;
    }

    /**
     * Runs {@code commands} with JSON output ({@link #OUTPUT_JSON}): JSON input is parsed
     * as such, and a {@code list} prints JSON.
     *
     * @return what nft printed (empty for most changes)
     * @throws NftException when nft refused the buffer (with nft's error text)
     */
    public String run(String commands) throws NftException {
        return run(commands, OUTPUT_JSON);
    }

    /**
     * Runs {@code commands} with the output flags {@code outputFlags} ({@code OUTPUT_*}).
     *
     * @return what nft printed
     * @throws NftException when nft refused the buffer (with nft's error text), or a context
     *     could not be made
     */
    public String run(String commands, int outputFlags) throws NftException {
        Objects.requireNonNull(commands, "commands");
        LOCK.lock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = (MemorySegment) ctxNew.invokeExact(0);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new NftException("nft_ctx_new(NFT_CTX_DEFAULT) of " + library + " failed", "");
            }
            try {
                if ((int) bufferOutput.invokeExact(ctx) != 0 || (int) bufferError.invokeExact(ctx) != 0) {
                    throw new NftException("nft_ctx_buffer_output/error of " + library + " failed", "");
                }
                setOutputFlags.invokeExact(ctx, outputFlags);
                int rc = (int) runCmd.invokeExact(ctx, arena.allocateFrom(commands));
                if (rc != 0) {
                    String err = string((MemorySegment) getError.invokeExact(ctx)).strip();
                    throw new NftException("nft_run_cmd_from_buffer(" + abbreviate(commands) + "): "
                            + (err.isEmpty() ? "failed without a message (" + rc + ")" : err), err);
                }
                return string((MemorySegment) getOutput.invokeExact(ctx));
            } finally {
                ctxFree.invokeExact(ctx);
            }
        } catch (NftException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling " + library, t);
        } finally {
            LOCK.unlock();
        }
    }

    private static String string(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static String abbreviate(String commands) {
        String one = commands.replaceAll("\\s+", " ").strip();
        return one.length() <= 160 ? one : one.substring(0, 157) + "...";
    }

    @Override
    public String toString() {
        return "Libnftables[" + library + "]";
    }
}
