package org.cunicu4j.e2e.wg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.linux.NetNs;
import org.cunicu4j.testlab.Host;

/**
 * A TCP transfer of pseudo-random bytes between two lab hosts, with the SHA-256 of what was
 * sent and of what arrived: the receiver listens in its host's namespace, the sender
 * connects from its own (both sockets made there by {@link NetNs#call}, then driven from
 * ordinary threads). Stateless; each call uses its own sockets and threads.
 */
public final class TcpTransfer {
    private static final int CHUNK = 64 * 1024;

    private TcpTransfer() {}

    /** What a transfer moved. */
    public record Result(long sentBytes, long receivedBytes, String sentSha256, String receivedSha256, Duration took) {
        /** Megabits per second over the whole transfer (connect to the receiver's EOF). */
        public double mbitPerSecond() {
            return receivedBytes * 8.0 / 1e6 / Math.max(1e-9, took.toNanos() / 1e9);
        }
    }

    /**
     * Sends {@code bytes} bytes (from a random generator seeded with {@code seed}) from
     * {@code from} to {@code toIp:port} in {@code to}; waits at most {@code timeout} for the
     * receiver to see the end of the stream.
     */
    public static Result run(Host from, Host to, String toIp, int port, long bytes, long seed, Duration timeout)
            throws Exception {
        ServerSocketChannel server = NetNs.call(to.netns(),
                () -> ServerSocketChannel.open().bind(new InetSocketAddress(toIp, port)));
        try (server) {
            CompletableFuture<Object[]> received = CompletableFuture.supplyAsync(() -> receive(server));
            SocketChannel client = NetNs.call(from.netns(), SocketChannel::open);
            long start = System.nanoTime();
            String sent;
            try (client) {
                client.connect(new InetSocketAddress(toIp, port));
                sent = send(client, bytes, seed);
                client.shutdownOutput();
                Object[] r = received.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new Result(bytes, (Long) r[0], sent, (String) r[1], Duration.ofNanos(System.nanoTime() - start));
            } finally {
                received.cancel(true);
            }
        }
    }

    private static String send(SocketChannel ch, long bytes, long seed) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            random.nextBytes(chunk);
            sha.update(chunk, 0, n);
            buf.clear().limit(n);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static Object[] receive(ServerSocketChannel server) {
        try (SocketChannel ch = server.accept()) {
            MessageDigest sha = sha256();
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            long total = 0;
            int n;
            while ((n = ch.read(buf.clear())) >= 0) {
                sha.update(buf.array(), 0, n);
                total += n;
            }
            return new Object[] {total, HexFormat.of().formatHex(sha.digest())};
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("receiving the transfer on " + server, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
