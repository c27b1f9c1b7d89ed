package org.cunicu4j.e2e.bench.jmh;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under WireGuard's transport path: the JDK's ChaCha20-Poly1305 (with its
 * intrinsics) sealing and opening one packet in place in direct buffers, a new nonce per
 * packet, as the device must. Our device's seal/open ({@link SealOpenBench}) cannot be
 * faster than this; the difference is its own overhead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class JdkChaChaBench {
    @Param({"64", "1420"})
    public int size;

    private final Cipher seal = newCipher();
    private final Cipher open = newCipher();
    private final SecretKeySpec key = new SecretKeySpec(new byte[32], "ChaCha20");
    private final byte[] nonce = new byte[12];
    private ByteBuffer plain;
    private ByteBuffer sealed;
    private ByteBuffer opened;
    private ByteBuffer heapPlain;
    private ByteBuffer heapSealed;
    private ByteBuffer heapOpened;
    private byte[] arrayPlain;
    private byte[] arraySealed;
    private byte[] arrayOpened;
    private long counter;

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Setup
    public void setup() {
        plain = ByteBuffer.allocateDirect(size);
        sealed = ByteBuffer.allocateDirect(size + 16);
        opened = ByteBuffer.allocateDirect(size);
        heapPlain = ByteBuffer.allocate(size);
        heapSealed = ByteBuffer.allocate(size + 16);
        heapOpened = ByteBuffer.allocate(size);
        arrayPlain = new byte[size];
        arraySealed = new byte[size + 16];
        arrayOpened = new byte[size];
    }

    private IvParameterSpec nextIv() {
        counter++;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        // a fresh IvParameterSpec per packet is the JDK API's own allocation (the nonce must change)
        return new IvParameterSpec(nonce);
    }

    /** As {@link #sealThenOpen} on heap ByteBuffers (array-backed: no copy in the JDK's CipherSpi). */
    @Benchmark
    public int sealThenOpenHeapBuffers() throws GeneralSecurityException {
        IvParameterSpec iv = nextIv();
        seal.init(Cipher.ENCRYPT_MODE, key, iv);
        heapPlain.clear();
        heapSealed.clear();
        seal.doFinal(heapPlain, heapSealed);
        open.init(Cipher.DECRYPT_MODE, key, iv);
        heapSealed.flip();
        heapOpened.clear();
        return open.doFinal(heapSealed, heapOpened);
    }

    /** As {@link #sealThenOpen} on byte arrays. */
    @Benchmark
    public int sealThenOpenArrays() throws GeneralSecurityException {
        IvParameterSpec iv = nextIv();
        seal.init(Cipher.ENCRYPT_MODE, key, iv);
        seal.doFinal(arrayPlain, 0, size, arraySealed, 0);
        open.init(Cipher.DECRYPT_MODE, key, iv);
        return open.doFinal(arraySealed, 0, size + 16, arrayOpened, 0);
    }

    /** Seals one packet then opens it, direct buffers: the two halves of a packet's trip. */
    @Benchmark
    public int sealThenOpen() throws GeneralSecurityException {
        IvParameterSpec iv = nextIv();
        seal.init(Cipher.ENCRYPT_MODE, key, iv);
        plain.clear();
        sealed.clear();
        seal.doFinal(plain, sealed);
        open.init(Cipher.DECRYPT_MODE, key, iv);
        sealed.flip();
        opened.clear();
        return open.doFinal(sealed, opened);
    }
}
