package org.cunicu4j.e2e.bench.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import org.cunicu4j.wireguard.crypto.ChaChaPoly;
import org.cunicu4j.wireguard.replay.ReplayWindow;
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
 * Our device's per-packet transport path, the way its data threads run it, through the
 * wireguard module's {@link ChaChaPoly} and {@link ReplayWindow}:
 *
 * <ul>
 * <li>seal: the TUN packet (a direct buffer, as the TUN batch holds it) copied into the
 *     thread's heap scratch array behind a 16-byte header, zero-padded to 16, the header
 *     written (type, receiver index, counter), sealed in place, copied into the outgoing
 *     batch's direct buffer;
 * <li>open: the datagram (a direct buffer, as the receive batch holds it) copied into the
 *     scratch array, opened in place, the counter checked against the replay window, the
 *     plaintext copied into the TUN write buffer.
 * </ul>
 *
 * {@link #sealThenOpen} does both for one packet (a packet's whole trip through two
 * devices, minus the syscalls); {@link #seal} only the sending half. Run with
 * {@code -prof gc} for the bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SealOpenBench {
    private static final int HEADER = 16;
    private static final int TAG = ChaChaPoly.TAG_LENGTH;
    private static final int MTU = 1420;
    private static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);

    /** The inner packet's length: a small packet (TCP ACK, ping) and a full one (MTU 1420). */
    @Param({"64", "1420"})
    public int size;

    private final ChaChaPoly sealer = new ChaChaPoly();
    private final ChaChaPoly opener = new ChaChaPoly();
    private final SecretKey key = ChaChaPoly.key(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32});
    private final AtomicLong sendCounter = new AtomicLong();
    private final ReplayWindow window = new ReplayWindow();
    private final byte[] txScratch = new byte[HEADER + MTU + TAG + 64];
    private final byte[] rxScratch = new byte[HEADER + MTU + TAG + 64];
    private ByteBuffer tunIn;
    private ByteBuffer wire;
    private ByteBuffer tunOut;

    @Setup
    public void setup() {
        tunIn = ByteBuffer.allocateDirect(MTU);
        for (int i = 0; i < size; i++) {
            tunIn.put(i, (byte) i);
        }
        tunIn.put(0, (byte) 0x45);
        wire = ByteBuffer.allocateDirect(HEADER + MTU + TAG + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tunOut = ByteBuffer.allocateDirect(MTU + 64);
    }

    /** The sending half: TUN buffer to a sealed datagram in the outgoing batch's buffer; returns its length. */
    @Benchmark
    public int seal() {
        byte[] s = txScratch;
        tunIn.get(0, s, HEADER, size);
        int padded = size < MTU ? Math.min((size + 15) & -16, MTU) : size;
        java.util.Arrays.fill(s, HEADER + size, HEADER + padded, (byte) 0);
        long counter = sendCounter.getAndIncrement();
        s[0] = 4;
        s[1] = 0;
        s[2] = 0;
        s[3] = 0;
        putIntLE(s, 4, 0x1234567);
        putIntLE(s, 8, (int) counter);
        putIntLE(s, 12, (int) (counter >>> 32));
        int total = HEADER + sealer.seal(key, counter, s, HEADER, padded, null);
        wire.clear();
        wire.put(s, 0, total).flip();
        return total;
    }

    /** Seal, then the receiving half: the datagram to the plaintext in the TUN write buffer; returns its length. */
    @Benchmark
    public int sealThenOpen() {
        int len = seal();
        byte[] s = rxScratch;
        long counter = wire.getLong(8); // little-endian on the wire
        int clen = len - HEADER;
        wire.get(HEADER, s, 0, clen);
        int n = opener.open(key, counter, s, 0, clen, null);
        if (n < 0 || window.check(counter, REJECT_AFTER_MESSAGES) != ReplayWindow.ACCEPTED) {
            throw new IllegalStateException("open failed at counter " + counter + ": " + n);
        }
        tunOut.clear();
        tunOut.put(s, 0, size).flip();
        return n;
    }

    private static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
