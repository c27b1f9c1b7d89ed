package org.cunicu4j.ice;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.LockSupport;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;

/**
 * Reads one base on a virtual thread of its own and hands every datagram to the agent,
 * which never throws back. Ends when the base is closed or the agent is. An I/O error is
 * counted and reading goes on (after a short pause when errors repeat, not to spin).
 */
final class BaseReader implements Runnable {
    private final IceAgent agent;
    private final PacketConn base;
    private final PacketBatch batch;

    BaseReader(IceAgent agent, PacketConn base, int bufferSize) {
        this.agent = agent;
        this.base = base;
        this.batch = new PacketBatch(Math.clamp(base.preferredBatchSize(), 1, 16), bufferSize);
    }

    void start() {
        Thread.ofVirtual().name("ice-reader " + base.localAddress()).start(this);
    }

    @Override
    public void run() {
        int errors = 0;
        while (!agent.isClosed()) {
            int n;
            try {
                n = base.receive(batch);
                errors = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                agent.readerError(base, e);
                if (++errors > 3) {
                    LockSupport.parkNanos(10_000_000L); // back off a failing base; not synchronisation
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                agent.onDatagram(base, batch, i);
            }
        }
    }
}
