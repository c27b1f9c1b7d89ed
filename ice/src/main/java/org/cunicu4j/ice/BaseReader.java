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
 * {@link #stop()} ends it (the agent's close, or a base no longer used after a restart).
 */
final class BaseReader implements Runnable {
    private final IceAgent agent;
    private final PacketConn base;
    private final PacketBatch batch;
    private volatile boolean stopped;
    private volatile Thread thread;

    BaseReader(IceAgent agent, PacketConn base, int bufferSize) {
        this.agent = agent;
        this.base = base;
        this.batch = new PacketBatch(Math.clamp(base.preferredBatchSize(), 1, 16), bufferSize);
    }

    void start() {
        // A platform thread: a base's receive may block in a native poll (a plain UdpPacketConn),
        // which pins a virtual thread's carrier; two such readers starved a 2-core machine.
        thread = Thread.ofPlatform().daemon().name("ice-reader " + base.localAddress()).start(this);
    }

    /**
     * Ends the reader: at once if its receive wakes on interrupt or the base is closed
     * (the gatherer closes the bases it owns), else when the next datagram arrives (which
     * is then dropped).
     */
    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        int errors = 0;
        while (!agent.isClosed() && !stopped) {
            int n;
            try {
                n = base.receive(batch);
                errors = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                agent.readerError(base, e);
                if (++errors > 3) {
                    LockSupport.parkNanos(10_000_000L); // back off a failing base; not synchronisation
                }
                continue;
            }
            if (stopped) {
                return;
            }
            for (int i = 0; i < n; i++) {
                agent.onDatagram(base, batch, i);
            }
        }
    }
}
