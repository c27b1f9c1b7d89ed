package org.cunicu4j.e2e.bench;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cunicu4j.signaling.proto.Empty;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;
import org.cunicu4j.signaling.proto.signaling.SubscribeParams;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.ServerStats;
import org.cunicu4j.signaling.server.SignalingServer;

/**
 * The signaling server's fan-out rate and delivery latency on loopback: one server, N
 * subscribers (default 1,000) spread over C client connections, P publisher threads.
 *
 * <p>Two scenarios: <b>unicast</b> (each subscriber its own key, publishers address them
 * round-robin, as ICE candidates flow) and <b>broadcast</b> (every subscriber on one key, as
 * pdisc's community key: one publish, N deliveries). Latency is from just before Publish to
 * the subscriber's onNext (same clock, same JVM; the body carries {@code System.nanoTime()}).
 * Envelopes are not sealed: the server never opens them, so sealing would only measure the
 * clients. Publishers keep at most W publishes in flight each (the light-load unicast run 4,
 * the broadcast run 1: one fan-out at a time, so its latency is how long 1,000 deliveries take).
 *
 * <p>Arguments ({@code key=value}): subscribers=1000 connections=50 publishers=2 window=256
 * messages=200000 (unicast) broadcasts=200 (broadcast) body=200 (bytes) warmup=20000.
 */
public final class SignalingFanoutBench {

    private SignalingFanoutBench() {}

    private record Params(int subscribers, int connections, int publishers, int window, int messages, int broadcasts,
                          int body, int warmup) {
        Params withWindow(int w) {
            return new Params(subscribers, connections, publishers, w, messages, broadcasts, body, warmup);
        }
    }

    /** Runs both scenarios and prints their figures. */
    public static void main(String[] args) throws Exception {
        Params p = parse(args);
        System.out.printf(Locale.ROOT, "signaling fan-out bench: %s, %d CPUs, Java %s%n", p,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        // the limits sized for the bench: all subscribers, and on each connection its share of them
        // plus every publisher's window (the defaults would queue calls client-side and skew the figures)
        int callsPerConnection = Math.max(ServerConfig.DEFAULT_MAX_CALLS_PER_CONNECTION,
                p.subscribers() / p.connections() + 1 + p.publishers() * p.window());
        try (SignalingServer server = SignalingServer.start(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0))
                .withGracePeriod(Duration.ofSeconds(2))
                .withMaxSubscribers(Math.max(ServerConfig.DEFAULT_MAX_SUBSCRIBERS, p.subscribers()))
                .withMaxCallsPerConnection(callsPerConnection))) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < p.connections(); i++) {
                channels.add(Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                        InsecureChannelCredentials.create()).directExecutor().build());
            }
            try {
                run("unicast warm-up", server, channels, p, p.warmup(), false, false);
                run("unicast", server, channels, p, p.messages(), false, true);
                run("unicast, light load (window 4)", server, channels,
                        p.withWindow(4), Math.min(p.messages(), 20_000), false, true);
                run("broadcast (window 1)", server, channels, p.withWindow(1), p.broadcasts(), true, true);
            } finally {
                for (ManagedChannel ch : channels) {
                    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void run(String name, SignalingServer server, List<ManagedChannel> channels, Params p,
                            int publishes, boolean broadcast, boolean print) throws Exception {
        int n = p.subscribers();
        long expected = broadcast ? (long) publishes * n : publishes;
        long[] latencies = new long[(int) expected];
        AtomicInteger received = new AtomicInteger();
        AtomicLong lastReceive = new AtomicLong();
        CountDownLatch markers = new CountDownLatch(n);
        CountDownLatch done = new CountDownLatch(1);
        ServerStats before = server.stats();

        // subscribe
        List<io.grpc.Context.CancellableContext> subscriptions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ByteString key = broadcast ? key(0) : key(i);
            ManagedChannel ch = channels.get(i % channels.size());
            io.grpc.Context.CancellableContext ctx = io.grpc.Context.current().withCancellation();
            subscriptions.add(ctx);
            ctx.run(() -> SignalingGrpc.newStub(ch).subscribe(SubscribeParams.newBuilder().setKey(key).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(Envelope e) {
                            if (e.getSerializedSize() == 0) {
                                markers.countDown();
                                return;
                            }
                            long now = System.nanoTime();
                            long sent = e.getContents().getBody().asReadOnlyByteBuffer().getLong(0);
                            int idx = received.getAndIncrement();
                            if (idx < latencies.length) {
                                latencies[idx] = now - sent;
                            }
                            lastReceive.accumulateAndGet(now, Math::max);
                            if (idx + 1 == expected) {
                                done.countDown();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    }));
        }
        if (!markers.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("subscribers did not all get their marker: " + markers.getCount() + " missing");
        }

        // publish
        long start = System.nanoTime();
        List<Thread> publishers = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        for (int t = 0; t < p.publishers(); t++) {
            int self = t;
            ManagedChannel ch = channels.get(t % channels.size());
            publishers.add(Thread.ofPlatform().name("publisher-" + t).start(() -> {
                SignalingGrpc.SignalingStub stub = SignalingGrpc.newStub(ch);
                Semaphore window = new Semaphore(p.window());
                byte[] body = new byte[p.body()];
                for (int m = self; m < publishes; m += p.publishers()) {
                    window.acquireUninterruptibly();
                    ByteBuffer.wrap(body).putLong(0, System.nanoTime());
                    Envelope e = Envelope.newBuilder()
                            .setSender(key(1_000_000 + self))
                            .setRecipient(broadcast ? key(0) : key(m % n))
                            .setContents(EncryptedMessage.newBuilder()
                                    .setBody(ByteString.copyFrom(body))
                                    .setNonce(ByteString.copyFrom(body, 0, 24)))
                            .build();
                    stub.publish(e, new StreamObserver<>() {
                        @Override
                        public void onNext(Empty value) {}

                        @Override
                        public void onError(Throwable t) {
                            failures.incrementAndGet();
                            window.release();
                        }

                        @Override
                        public void onCompleted() {
                            window.release();
                        }
                    });
                }
                window.acquireUninterruptibly(p.window());
            }));
        }
        for (Thread t : publishers) {
            t.join();
        }
        long published = System.nanoTime();
        boolean all = done.await(30, TimeUnit.SECONDS);
        long end = all ? lastReceive.get() : System.nanoTime();
        int got = Math.min(received.get(), latencies.length);
        ServerStats after = server.stats();
        for (io.grpc.Context.CancellableContext ctx : subscriptions) {
            ctx.cancel(null);
        }
        // cancelling is asynchronous: wait until the server has forgotten these subscribers, so
        // none of them is still around (and dropping) when the next scenario counts
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.stats().subscribers() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server still has " + server.stats().subscribers()
                        + " subscribers 30 s after " + name + " cancelled them");
            }
            Thread.sleep(10); // polling a counter, not synchronising threads
        }
        if (!print) {
            return;
        }
        long[] sorted = Arrays.copyOf(latencies, got);
        Arrays.sort(sorted);
        double seconds = (end - start) / 1e9;
        System.out.printf(Locale.ROOT, "%n%s: %d subscribers on %d connections, %d publishers (window %d), %d-byte bodies%n",
                name, n, channels.size(), p.publishers(), p.window(), p.body());
        System.out.printf(Locale.ROOT, "  publishes %d in %.2f s (%.0f publishes/s)%n", publishes,
                (published - start) / 1e9, publishes / ((published - start) / 1e9));
        System.out.printf(Locale.ROOT, "  deliveries %d of %d in %.2f s: %.0f messages/s delivered%n", got, expected,
                seconds, got / seconds);
        System.out.printf(Locale.ROOT, "  latency publish->onNext: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        System.out.printf(Locale.ROOT, "  server: dropped by full queues %d, unrouted %d; publish failures %d%n",
                after.dropped() - before.dropped(), after.unrouted() - before.unrouted(), failures.get());
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static ByteString key(int n) {
        byte[] k = new byte[32];
        ByteBuffer.wrap(k).putInt(28, n);
        k[0] = 1;
        return ByteString.copyFrom(k);
    }

    private static Params parse(String[] args) {
        int subscribers = 1000;
        int connections = 50;
        int publishers = 2;
        int window = 256;
        int messages = 200_000;
        int broadcasts = 200;
        int body = 200;
        int warmup = 20_000;
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, got " + a);
            }
            int v = Integer.parseInt(a.substring(eq + 1));
            switch (a.substring(0, eq)) {
                case "subscribers" -> subscribers = v;
                case "connections" -> connections = v;
                case "publishers" -> publishers = v;
                case "window" -> window = v;
                case "messages" -> messages = v;
                case "broadcasts" -> broadcasts = v;
                case "body" -> body = Math.max(24, v);
                case "warmup" -> warmup = v;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        return new Params(subscribers, connections, publishers, window, messages, broadcasts, body, warmup);
    }
}
