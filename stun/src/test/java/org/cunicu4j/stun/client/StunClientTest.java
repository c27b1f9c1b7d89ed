package org.cunicu4j.stun.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.stun.ErrorCode;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StunClientTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.1", 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress("198.18.0.10", 3478);
    static final InetSocketAddress MAPPED = new InetSocketAddress("198.18.1.1", 50000);
    /** Requests at 0, 20, 60 and 140 ms; gives up at 180 ms. */
    static final RetransmissionPolicy FAST = new RetransmissionPolicy(Duration.ofMillis(20), 4, 2);

    MemoryPacketConn[] pair = MemoryPacketConn.pair(CLIENT, SERVER);

    @AfterEach
    void close() {
        pair[0].close();
        pair[1].close();
    }

    @Test
    void policyTimesFollowRfc8489() {
        RetransmissionPolicy p = RetransmissionPolicy.DEFAULT;
        assertThat(p.waitAfter(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.waitAfter(6)).isEqualTo(Duration.ofMillis(16000));
        assertThat(p.waitAfter(7)).isEqualTo(Duration.ofMillis(8000));
        assertThat(p.totalTimeout()).isEqualTo(Duration.ofMillis(39500));
        assertThat(FAST.totalTimeout()).isEqualTo(Duration.ofMillis(180));
        assertThat(StreamStunTransport.DEFAULT_TIMEOUT).isEqualTo(Duration.ofMillis(39500));
        RetransmissionPolicy cut = FAST.withLimit(Duration.ofMillis(100));
        assertThat(cut.limited()).isTrue();
        assertThat(cut.totalTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(FAST.limited()).isFalse();
        assertThat(FAST.withLimit(Duration.ofSeconds(1)).totalTimeout()).isEqualTo(Duration.ofMillis(180));
    }

    @Test
    void aLimitEndsTheTransactionBeforeTheScheduleDoes() throws Exception {
        // FAST sends at 0, 20, 60 and 140 ms; cut at 100 ms: three requests, then the timeout
        try (StunClient client = StunClient.owning(pair[0], null, FAST.withLimit(Duration.ofMillis(100)), null)) {
            CompletableFuture<StunResponse> f = client.request(BindingClient.bindingRequest(), SERVER);
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(StunTimeoutException.class)
                    .hasMessage("no response from 198.18.0.10:3478 after 3 requests in 0.1 s");
            assertThat(client.transmissions()).isEqualTo(3);
        }
    }

    @Test
    void theHandlerHearsWhenTheReaderEnds() throws Exception {
        CompletableFuture<java.io.IOException> ended = new CompletableFuture<>();
        InboundHandler handler = new InboundHandler() {
            @Override
            public void onInbound(ByteBuffer data, InetSocketAddress from) {}

            @Override
            public void onReaderEnd(java.io.IOException cause) {
                ended.complete(cause);
            }
        };
        StunClient client = StunClient.owning(pair[0], handler);
        client.close();
        assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aResponseCompletesTheTransaction() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1], (req, n) -> FakeStunServer.success(req, MAPPED));
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            BindingResult r = new BindingClient(client.transportTo(SERVER)).discover();
            assertThat(r.mappedAddress()).isEqualTo(MAPPED);
            assertThat(r.respondedFrom()).isEqualTo(SERVER);
            assertThat(r.requests()).isEqualTo(1);
            assertThat(r.software()).contains("fake");
            assertThat(r.rtt()).isPositive().isLessThan(Duration.ofSeconds(5));
            assertThat(client.pending()).isZero();
        }
    }

    @Test
    void retransmitsRcTimesThenTimesOutWithAClearMessage() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1], (req, n) -> null);
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.call(BindingClient.bindingRequest(), SERVER))
                    .isInstanceOf(StunTimeoutException.class)
                    .hasMessage("no response from 198.18.0.10:3478 after 4 requests in 0.2 s");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(elapsedMs).isBetween(170L, 2000L);
            Waiter.until("4 requests arrived", Duration.ofSeconds(2), () -> server.requests.size() == 4);
            assertThat(server.requests).extracting(StunMessage::transactionId).containsOnly(
                    server.requests.getFirst().transactionId());
            assertThat(client.transmissions()).isEqualTo(4);
            assertThat(client.pending()).isZero();
        }
    }

    @Test
    void retransmissionsDoubleTheRtoAndTheLastWaitIsRmTimesRto() throws Exception {
        List<Long> sends = new CopyOnWriteArrayList<>();
        PacketConn recording = new PacketConn() {
            @Override
            public int receive(PacketBatch batch) throws java.io.IOException {
                return pair[0].receive(batch);
            }

            @Override
            public int send(PacketBatch batch) throws java.io.IOException {
                sends.add(System.nanoTime());
                return pair[0].send(batch);
            }

            @Override
            public InetSocketAddress localAddress() {
                return pair[0].localAddress();
            }

            @Override
            public void close() {
                pair[0].close();
            }
        };
        RetransmissionPolicy policy = new RetransmissionPolicy(Duration.ofMillis(30), 5, 3);
        try (StunClient client = StunClient.owning(recording, null, policy, null)) {
            CompletableFuture<StunResponse> f = client.request(BindingClient.bindingRequest(), SERVER);
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StunTimeoutException.class);
            long failedAt = System.nanoTime();
            assertThat(sends).hasSize(5);
            // a timer never fires early, so each gap is at least its nominal wait: 30, 60, 120, 240 ms
            for (int i = 1; i < sends.size(); i++) {
                long gapMs = TimeUnit.NANOSECONDS.toMillis(sends.get(i) - sends.get(i - 1));
                assertThat(gapMs).as("gap before request %d", i + 1).isGreaterThanOrEqualTo(30L << (i - 1));
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(failedAt - sends.getLast())).as("last wait, Rm * RTO")
                    .isGreaterThanOrEqualTo(90);
        }
    }

    @Test
    void defaultPolicyMessageSays39point5Seconds() {
        StunTimeoutException e = new StunTimeoutException(SERVER, 7, RetransmissionPolicy.DEFAULT.totalTimeout(), null);
        assertThat(e).hasMessage("no response from 198.18.0.10:3478 after 7 requests in 39.5 s");
    }

    @Test
    void aLateAnswerCountsTheRetransmissions() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1],
                        (req, n) -> n == 3 ? FakeStunServer.success(req, MAPPED) : null);
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            long start = System.nanoTime();
            StunResponse r = client.call(BindingClient.bindingRequest(), SERVER);
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.requests()).isEqualTo(3);
            assertThat(r.rttAmbiguous()).isTrue();
            // measured from the third transmission, which a timer never sends before 60 ms: the
            // RTO waits before it are not in the RTT, however late a loaded machine runs them
            assertThat(r.rtt()).isLessThanOrEqualTo(wall.minusMillis(60));
        }
    }

    @Test
    void fedModeConsumesOnlyMatchingResponses() throws Exception {
        try (StunClient client = StunClient.fedBy(pair[0], FAST, null)) {
            byte[] request = BindingClient.bindingRequest();
            TransactionId tid = StunMessage.parse(request).transactionId();
            CompletableFuture<StunResponse> f = client.request(request, SERVER);
            StunMessage sent = receiveOne(pair[1]);
            assertThat(sent.transactionId()).isEqualTo(tid);

            ByteBuffer other = ByteBuffer.wrap(StunMessage.builder(MessageType.BINDING_SUCCESS, TransactionId.random())
                    .xorMappedAddress(MAPPED).build());
            assertThat(client.offer(other, SERVER)).as("another transaction's response").isFalse();
            ByteBuffer indication = ByteBuffer.wrap(StunMessage.builder(MessageType.BINDING_INDICATION, tid).build());
            assertThat(client.offer(indication, SERVER)).as("an indication").isFalse();
            assertThat(client.offer(ByteBuffer.wrap(new byte[] {4, 0, 0, 0}), SERVER)).as("not STUN").isFalse();
            ByteBuffer wrongMethod = ByteBuffer.wrap(StunMessage.builder(
                    MessageType.ALLOCATE_REQUEST.success(), tid).build());
            assertThat(client.offer(wrongMethod, SERVER)).as("a response of another method, dropped").isTrue();
            assertThat(client.droppedResponses()).isEqualTo(1);
            assertThat(f).isNotDone();

            InetSocketAddress elsewhere = new InetSocketAddress("198.18.0.11", 3479);
            ByteBuffer mine = ByteBuffer.wrap(FakeStunServer.success(sent, MAPPED));
            assertThat(client.offer(mine, elsewhere)).isTrue();
            assertThat(mine.position()).isZero();
            StunResponse r = f.get(1, TimeUnit.SECONDS);
            assertThat(r.from()).isEqualTo(elsewhere);
            assertThat(r.message().xorMappedAddress()).contains(MAPPED);
            assertThat(client.offer(mine, elsewhere)).as("a duplicate after completion").isFalse();
        }
    }

    @Test
    void bindingFallsBackToMappedAddressAndNeedsOneOfThem() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1], (req, n) -> n == 1
                        ? StunMessage.builder(req.type().success(), req.transactionId()).mappedAddress(MAPPED).build()
                        : StunMessage.builder(req.type().success(), req.transactionId()).software("x").build());
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            BindingClient binding = new BindingClient(client.transportTo(SERVER));
            assertThat(binding.discover().mappedAddress()).isEqualTo(MAPPED);
            assertThatThrownBy(binding::discover).isInstanceOf(StunResponseException.class)
                    .hasMessage("Binding response from 198.18.0.10:3478 has neither XOR-MAPPED-ADDRESS nor MAPPED-ADDRESS");
        }
    }

    @Test
    void errorResponsesCompleteAndBindingTurnsThemIntoErrors() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1], (req, n) -> StunMessage.builder(req.type().error(),
                        req.transactionId()).errorCode(ErrorCode.BAD_REQUEST, "Bad Request").build());
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            StunResponse r = client.call(BindingClient.bindingRequest(), SERVER);
            assertThat(r.isSuccess()).isFalse();
            assertThat(r.message().errorCode()).contains(new ErrorCode(400, "Bad Request"));
            assertThatThrownBy(() -> new BindingClient(client.transportTo(SERVER)).discover())
                    .isInstanceOf(StunResponseException.class)
                    .hasMessage("Binding failed: 198.18.0.10:3478 answered with an error 400 Bad Request");
        }
    }

    @Test
    void unknownComprehensionRequiredAttributesFailTheTransaction() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1], (req, n) -> StunMessage.builder(req.type().success(),
                        req.transactionId()).xorMappedAddress(MAPPED).attribute(0x7F01, new byte[4]).build());
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            assertThatThrownBy(() -> client.call(BindingClient.bindingRequest(), SERVER))
                    .isInstanceOf(StunResponseException.class)
                    .hasMessageContaining("Binding success response from 198.18.0.10:3478 carries comprehension-required"
                            + " attributes this client does not understand: 0x7f01");
        }
    }

    @Test
    void malformedMatchingResponsesAreDroppedAndTheTransactionWaitsOn() throws Exception {
        try (FakeStunServer server = new FakeStunServer(pair[1], (req, n) -> {
                    byte[] ok = FakeStunServer.success(req, MAPPED);
                    if (n == 1) {
                        ok[23] = (byte) 0xFF; // the first attribute's length now runs past the end
                    }
                    return ok;
                });
                StunClient client = StunClient.owning(pair[0], null, FAST, null)) {
            StunResponse r = client.call(BindingClient.bindingRequest(), SERVER);
            assertThat(r.requests()).isEqualTo(2);
            assertThat(client.droppedResponses()).isEqualTo(1);
        }
    }

    @Test
    void unmatchedDatagramsGoToTheHandler() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (StunClient client = StunClient.owning(pair[0], (data, from) -> seen.add(data.remaining() + "@" + from))) {
            PacketBatch out = new PacketBatch(1, 100);
            out.buffer(0).put(new byte[] {0x40, 0, 0, 1, 7}).flip();
            out.setAddress(0, CLIENT);
            out.setCount(1);
            pair[1].send(out);
            Waiter.until("the handler saw the datagram", Duration.ofSeconds(2), () -> !seen.isEmpty());
            assertThat(seen).containsExactly("5@" + SERVER);
        }
    }

    @Test
    void closeFailsPendingTransactionsAndLaterOnes() throws Exception {
        StunClient client = StunClient.owning(pair[0], null, RetransmissionPolicy.DEFAULT, null);
        CompletableFuture<StunResponse> f = client.request(BindingClient.bindingRequest(), SERVER);
        client.close();
        assertThatThrownBy(() -> f.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ClosedChannelException.class);
        assertThat(client.request(BindingClient.bindingRequest(), SERVER)).isCompletedExceptionally();
        assertThatThrownBy(() -> client.request(new byte[] {1, 2, 3}, SERVER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a STUN message");
    }

    @Test
    void aReaderKilledByARuntimeExceptionFailsPendingAndLaterRequestsAtOnce() throws Exception {
        CompletableFuture<Void> boom = new CompletableFuture<>();
        PacketConn buggy = new PacketConn() {
            @Override
            public int receive(PacketBatch batch) throws java.io.IOException {
                boom.join();
                throw new IllegalStateException("bug in receive");
            }

            @Override
            public int send(PacketBatch batch) throws java.io.IOException {
                return pair[0].send(batch);
            }

            @Override
            public InetSocketAddress localAddress() {
                return pair[0].localAddress();
            }

            @Override
            public void close() {
                boom.complete(null);
                pair[0].close();
            }
        };
        try (StunClient client = StunClient.owning(buggy, null, RetransmissionPolicy.DEFAULT, null)) {
            CompletableFuture<StunResponse> pending = client.request(BindingClient.bindingRequest(), SERVER);
            boom.complete(null);
            assertThatThrownBy(() -> pending.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().hasMessageContaining("bug in receive");
            assertThat(client.broken()).isPresent();
            CompletableFuture<StunResponse> later = client.request(BindingClient.bindingRequest(), SERVER);
            assertThat(later).isCompletedExceptionally();
            assertThatThrownBy(later::join).hasMessageContaining("bug in receive");
        }
    }

    @Test
    void cancellingEndsTheTransaction() throws Exception {
        try (StunClient client = StunClient.fedBy(pair[0], FAST, null)) {
            CompletableFuture<StunResponse> f = client.request(BindingClient.bindingRequest(), SERVER);
            assertThat(client.pending()).isEqualTo(1);
            f.cancel(false);
            assertThat(client.pending()).isZero();
        }
    }

    static StunMessage receiveOne(MemoryPacketConn conn) throws Exception {
        PacketBatch in = new PacketBatch(1, 2048);
        conn.receive(in);
        return StunMessage.parse(in.buffer(0)).copy();
    }
}
