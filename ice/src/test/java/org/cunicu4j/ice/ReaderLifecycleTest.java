package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.cunicu4j.ice.testing.FakeIceScheduler;
import org.cunicu4j.ice.testing.StaticGatherer;
import org.cunicu4j.net.testing.MemoryPacketConn;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

/** The agent owns its readers: none is left running after close. */
class ReaderLifecycleTest {

    @Test
    void noReaderThreadRemainsAfterClose() {
        MemoryPacketConn[] link = MemoryPacketConn.pair(CandidateTest.addr("10.0.0.1", 5000),
                CandidateTest.addr("10.0.0.2", 5000));
        IceAgent agent = IceAgent.create(IceConfig.builder().scheduler(new FakeIceScheduler()).random(new Random(3))
                .build(), IceRole.CONTROLLING, List.of(new StaticGatherer(List.of(
                        new LocalCandidate(Harness.host(link[0].localAddress(), 65535), link[0])))));
        agent.gather();
        List<Thread> readers = agent.readerThreads();
        assertThat(readers).hasSize(1);
        Thread reader = readers.getFirst();
        assertThat(reader.getName()).startsWith("ice-reader");
        Waiter.until("the reader is blocked in receive", Duration.ofSeconds(10),
                () -> reader.getState() == Thread.State.WAITING);
        agent.close();
        Waiter.until("the reader ended", Duration.ofSeconds(10), () -> !reader.isAlive());
        assertThat(agent.readerThreads()).isEmpty();
        link[1].close();
    }
}
