package org.cunicu4j.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cunicu4j.signaling.server.TestKeys.envelope;
import static org.cunicu4j.signaling.server.TestKeys.key;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cunicu4j.signaling.proto.BuildInfo;
import org.cunicu4j.signaling.proto.Empty;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;
import org.cunicu4j.signaling.proto.signaling.SubscribeParams;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SignalingServerTest {

    private static final Duration T = Duration.ofSeconds(10);

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private SignalingServer server(ServerConfig config) {
        SignalingServer s = SignalingServer.start(config);
        cleanup.add(s);
        return s;
    }

    private SignalingServer server() {
        return server(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0)));
    }

    private ManagedChannel channel(SignalingServer s) {
        ManagedChannel ch = TestKeys.channel(s);
        cleanup.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return ch;
    }

    private static Recorder<Envelope> subscribe(ManagedChannel ch, ByteString key) {
        Recorder<Envelope> r = new Recorder<>();
        SignalingGrpc.newStub(ch).subscribe(SubscribeParams.newBuilder().setKey(key).build(), r);
        Waiter.until("the marker arrives", T, () -> !r.received.isEmpty() || r.ended());
        return r;
    }

    @Test
    void subscribeSendsTheEmptyMarkerFirst() {
        SignalingServer s = server();
        ManagedChannel ch = channel(s);
        Recorder<Envelope> r = subscribe(ch, key(1));
        assertThat(r.received.getFirst()).isEqualTo(Envelope.getDefaultInstance());
        assertThat(r.received.getFirst().getSerializedSize()).isZero();

        SignalingGrpc.newBlockingStub(ch).publish(envelope(2, 1, "hello"));
        Waiter.until("the envelope arrives", T, () -> r.received.size() == 2);
        assertThat(r.received.get(1)).isEqualTo(envelope(2, 1, "hello"));
        assertThat(s.stats().published()).isEqualTo(1);
        assertThat(s.stats().delivered()).isEqualTo(1);
    }

    @Test
    void everyMessageReachesExactlyItsRecipient() {
        SignalingServer s = server();
        int n = 6;
        List<ManagedChannel> channels = new ArrayList<>();
        List<Recorder<Envelope>> inboxes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ManagedChannel ch = channel(s);
            channels.add(ch);
            inboxes.add(subscribe(ch, key(i)));
        }
        // a key nobody follows: counted as unrouted, reaches no one
        SignalingGrpc.newBlockingStub(channels.getFirst()).publish(envelope(0, 999, "nobody"));
        for (int from = 0; from < n; from++) {
            var stub = SignalingGrpc.newBlockingStub(channels.get(from));
            for (int to = 0; to < n; to++) {
                if (to != from) {
                    stub.publish(envelope(from, to, from + "->" + to));
                }
            }
        }
        for (int to = 0; to < n; to++) {
            Recorder<Envelope> inbox = inboxes.get(to);
            int me = to;
            Waiter.until("subscriber " + to + " has its " + (n - 1) + " envelopes", T,
                    () -> inbox.received.size() == n); // marker + n-1
            List<String> bodies = inbox.received.subList(1, n).stream()
                    .peek(e -> assertThat(e.getRecipient()).isEqualTo(key(me)))
                    .map(e -> e.getContents().getBody().toStringUtf8())
                    .toList();
            List<String> expected = new ArrayList<>();
            for (int from = 0; from < n; from++) {
                if (from != to) {
                    expected.add(from + "->" + to);
                }
            }
            assertThat(bodies).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(s.stats().unrouted()).isEqualTo(1);
        assertThat(s.stats().delivered()).isEqualTo((long) n * (n - 1));
        assertThat(s.stats().subscribers()).isEqualTo(n);
    }

    @Test
    void twoSubscribersOfOneKeyBothReceive() {
        SignalingServer s = server();
        ManagedChannel ch = channel(s);
        Recorder<Envelope> a = subscribe(ch, key(7));
        Recorder<Envelope> b = subscribe(channel(s), key(7));
        SignalingGrpc.newBlockingStub(ch).publish(envelope(1, 7, "both"));
        Waiter.until("both copies arrive", T, () -> a.received.size() == 2 && b.received.size() == 2);
        assertThat(s.stats().topics()).isEqualTo(1);
    }

    @Test
    void aSubscriberThatStopsReadingDoesNotDelayOthersAndItsQueueStaysBounded() {
        int capacity = 256;
        SignalingServer s = server(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0)).withQueueCapacity(capacity));
        ManagedChannel slowChannel = channel(s);
        ManagedChannel fastChannel = channel(s);
        ManagedChannel publisherChannel = channel(s);

        // the slow subscriber takes the marker and then never asks for more
        AtomicInteger slowGot = new AtomicInteger();
        AtomicReference<ClientCallStreamObserver<SubscribeParams>> slowCall = new AtomicReference<>();
        SignalingGrpc.newStub(slowChannel).subscribe(SubscribeParams.newBuilder().setKey(key(1)).build(),
                new ClientResponseObserver<SubscribeParams, Envelope>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SubscribeParams> call) {
                        slowCall.set(call);
                        call.disableAutoRequestWithInitial(1);
                    }

                    @Override
                    public void onNext(Envelope value) {
                        slowGot.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        Waiter.until("the slow subscriber has its marker", T, () -> slowGot.get() == 1);
        Recorder<Envelope> fast = subscribe(fastChannel, key(2));

        String big = "x".repeat(4000);
        int rounds = 1500; // 6 MB for the slow one: far past its HTTP/2 window (1 MiB), its transport buffer and its queue
        var pub = SignalingGrpc.newFutureStub(publisherChannel);
        List<com.google.common.util.concurrent.ListenableFuture<Empty>> acks = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            acks.add(pub.publish(envelope(9, 1, big + i)));
            acks.add(pub.publish(envelope(9, 2, "fast " + i)));
            if (acks.size() >= capacity / 2) { // bursts the fast subscriber's queue always absorbs
                Waiter.until("publishes acknowledged", Duration.ofSeconds(30), () -> acks.stream().allMatch(f -> f.isDone()));
                acks.clear();
            }
        }
        Waiter.until("the fast subscriber has all " + rounds + " envelopes", Duration.ofSeconds(30),
                () -> fast.received.size() == rounds + 1);
        ServerStats stats = s.stats();
        assertThat(stats.dropped()).as("slow subscriber's losses").isGreaterThan(0);
        assertThat(stats.maxQueued()).isLessThanOrEqualTo(capacity);
        assertThat(slowGot.get()).isEqualTo(1);
        // delivered to the slow one (into its transport) plus dropped plus queued accounts for every envelope
        assertThat(stats.delivered() - rounds + stats.dropped() + stats.maxQueued()).isEqualTo(rounds);

        // once it reads again it gets the newest messages, the oldest were the ones dropped
        slowCall.get().request(Integer.MAX_VALUE);
        // the server dequeues before it counts a delivery: wait for the count itself
        Waiter.until("the slow subscriber drains and every envelope is delivered or dropped", T,
                () -> s.stats().maxQueued() == 0 && s.stats().delivered() == 2L * rounds - s.stats().dropped());
        assertThat(s.stats().delivered()).isEqualTo(2L * rounds - s.stats().dropped());
    }

    @Test
    void healthIsServingThenNotServingAfterClose() {
        SignalingServer s = server();
        ManagedChannel ch = channel(s);
        var health = HealthGrpc.newBlockingStub(ch);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService(SignalingGrpc.SERVICE_NAME).build())
                .getStatus()).isEqualTo(ServingStatus.SERVING);
        s.close();
        assertThat(s.isTerminated()).isTrue();
        assertThatThrownBy(() -> health.check(HealthCheckRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void buildInfoNamesTheVersion() {
        SignalingServer s = server(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0))
                .withBuildInfo(BuildInfos.of("9.9.9-test")));
        BuildInfo info = SignalingGrpc.newBlockingStub(channel(s)).getBuildInfo(Empty.getDefaultInstance());
        assertThat(info.getVersion()).isEqualTo("9.9.9-test");
        assertThat(info.getOs()).isEqualTo("linux");
        assertThat(info.getArch()).isNotEmpty();
    }

    @Test
    void keysThatAreNot32BytesAreRefused() {
        SignalingServer s = server();
        ManagedChannel ch = channel(s);
        Recorder<Envelope> r = new Recorder<>();
        SignalingGrpc.newStub(ch).subscribe(SubscribeParams.newBuilder().setKey(ByteString.copyFromUtf8("short")).build(), r);
        Waiter.until("the subscribe is refused", T, r::ended);
        assertThat(Status.fromThrowable(r.error.get()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThatThrownBy(() -> SignalingGrpc.newBlockingStub(ch).publish(Envelope.getDefaultInstance()))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(s.stats().rejected()).isEqualTo(2);
    }

    @Test
    void closeEndsSubscriptionsWithUnavailableAndFreesThePort() throws Exception {
        SignalingServer s = server(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0))
                .withGracePeriod(Duration.ofSeconds(30)));
        int port = s.port();
        Recorder<Envelope> r = subscribe(channel(s), key(1));
        long start = System.nanoTime();
        s.close();
        // the failure this guards against is waiting out the grace period for the open stream;
        // anything well below it passes, however loaded the machine
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(s.isTerminated()).isTrue();
        Waiter.until("the stream ends", T, r::ended);
        assertThat(Status.fromThrowable(r.error.get()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        // the same port can be bound again at once
        SignalingServer again = server(ServerConfig.listen(new InetSocketAddress("127.0.0.1", port)));
        assertThat(again.port()).isEqualTo(port);
    }

    @Test
    void subscribersBeyondTheCapAreRefusedWithResourceExhausted() {
        SignalingServer s = server(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0)).withMaxSubscribers(2));
        ManagedChannel ch = channel(s);
        subscribe(ch, key(1));
        Recorder<Envelope> second = subscribe(ch, key(2));
        Recorder<Envelope> third = new Recorder<>();
        SignalingGrpc.newStub(ch).subscribe(SubscribeParams.newBuilder().setKey(key(3)).build(), third);
        Waiter.until("the third subscribe is refused", T, third::ended);
        assertThat(Status.fromThrowable(third.error.get()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(s.stats().refused()).isEqualTo(1);
        assertThat(s.stats().subscribers()).isEqualTo(2);
        assertThat(second.ended()).isFalse();
    }

    @Test
    void envelopesOverSixtyFourKibAreRefused() {
        SignalingServer s = server();
        ManagedChannel ch = channel(s);
        assertThatThrownBy(() -> SignalingGrpc.newBlockingStub(ch).publish(envelope(1, 2, "x".repeat(70 * 1024))))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        SignalingGrpc.newBlockingStub(ch).publish(envelope(1, 2, "x".repeat(60 * 1024)));
        assertThat(s.stats().published()).isEqualTo(1);
    }

    @Test
    void cancelledSubscriptionsLeaveNoState() {
        SignalingServer s = server();
        ManagedChannel ch = channel(s);
        Recorder<Envelope> r = subscribe(ch, key(3));
        assertThat(s.stats().subscribers()).isEqualTo(1);
        ch.shutdownNow();
        Waiter.until("the server forgets the subscriber", T, () -> s.stats().subscribers() == 0);
        assertThat(s.stats().topics()).isZero();
        assertThat(r.received).hasSize(1);
    }
}
