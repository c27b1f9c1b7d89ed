package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Agents on the one {@link IceScheduler#system()}: an agent whose send blocks holds up no other agent. */
class SharedSchedulerTest {

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** A base whose send blocks until the test ends (a TURN allocation over a stalled TCP connection). */
    private static final class BlockingSend implements PacketConn {
        final MemoryPacketConn inner;
        final CountDownLatch release;
        final CountDownLatch entered = new CountDownLatch(1);

        BlockingSend(MemoryPacketConn inner, CountDownLatch release) {
            this.inner = inner;
            this.release = release;
        }

        @Override
        public int receive(PacketBatch batch) throws IOException {
            return inner.receive(batch);
        }

        @Override
        public int send(PacketBatch batch) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return batch.count();
        }

        @Override
        public InetSocketAddress localAddress() {
            return inner.localAddress();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private IceAgent agent(IceRole role, PacketConn base, long seed) {
        IceAgent a = IceAgent.create(IceConfig.builder().scheduler(IceScheduler.system()).random(new Random(seed))
                .checkInterval(Duration.ofMillis(20)).build(), role,
                List.of(new StaticGatherer(List.of(new LocalCandidate(Harness.host(base.localAddress(), 65535), base)),
                        true)));
        closing.add(a);
        return a;
    }

    @Test
    void anAgentWhoseSendBlocksDoesNotStopAnotherFromConnecting() throws Exception {
        MemoryPacketConn[] stuckLink = MemoryPacketConn.pair(CandidateTest.addr("10.9.0.1", 5000),
                CandidateTest.addr("10.9.0.2", 5000));
        closing.add(stuckLink[1]);
        BlockingSend stuckBase = new BlockingSend(stuckLink[0], release);
        IceAgent stuck = agent(IceRole.CONTROLLING, stuckBase, 1);
        stuck.gather();
        stuck.setRemoteCredentials(new IceCredentials("someufrag", "somepasswordsomepasswordsomepass"));
        stuck.addRemoteCandidate(Harness.host(stuckLink[1].localAddress(), 65535));
        stuck.start();
        assertThat(stuckBase.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("first check sent").isTrue();

        MemoryPacketConn[] link = MemoryPacketConn.pair(CandidateTest.addr("10.0.0.1", 5000),
                CandidateTest.addr("10.0.0.2", 5000));
        IceAgent a = agent(IceRole.CONTROLLING, link[0], 2);
        IceAgent b = agent(IceRole.CONTROLLED, link[1], 3);
        a.gather();
        b.gather();
        a.setRemoteCredentials(b.localCredentials());
        b.setRemoteCredentials(a.localCredentials());
        a.localCandidates().forEach(b::addRemoteCandidate);
        b.localCandidates().forEach(a::addRemoteCandidate);
        a.start();
        b.start();
        Waiter.until("the other two agents connect", Duration.ofSeconds(10),
                () -> a.state().isConnected() && b.state().isConnected());
        // the stuck agent's lock is free: its API still answers
        assertThat(stuck.state()).isEqualTo(IceState.CHECKING);
    }
}
