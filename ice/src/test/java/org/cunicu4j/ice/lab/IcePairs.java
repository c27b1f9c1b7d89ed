package org.cunicu4j.ice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceCandidatePair;
import org.cunicu4j.testlab.Waiter;

/** Connecting two {@link LabAgent}s and the checks every lab test makes on the result. */
final class IcePairs {
    /** Deadline for a connection in the lab (checks every 50 ms; relays take a TURN allocation first). */
    static final Duration CONNECT = Duration.ofSeconds(12);
    static final Duration DATA = Duration.ofSeconds(3);

    private IcePairs() {}

    /** Trickle wired, both gather and start; returns once both are connected. */
    static void connect(LabAgent a, LabAgent b) throws Exception {
        LabAgent.pair(a, b);
        a.gatherAndStart();
        b.gatherAndStart();
        awaitConnected(a, b);
    }

    /** Waits until both are connected and have handed all their candidates to the other; a failure tells all. */
    static void awaitConnected(LabAgent a, LabAgent b) {
        try {
            Waiter.until("both agents connected and done gathering", CONNECT,
                    () -> a.connected() && b.connected() && a.gatheringDone() && b.gatheringDone());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + a.diagnostics() + "\n" + b.diagnostics(), e);
        }
    }

    /** The selected pair of {@code a} has these local and remote types. */
    static IceCandidatePair assertSelected(LabAgent a, CandidateType local, CandidateType remote) {
        IceCandidatePair p = a.selected();
        assertThat(p.local().type()).as("local type of %s's pair %s", a.name, p).isEqualTo(local);
        assertThat(p.remote().type()).as("remote type of %s's pair %s", a.name, p).isEqualTo(remote);
        return p;
    }

    /** The pairs of both sides are each other's mirror (same two transport addresses, crossed). */
    static void assertMirrored(LabAgent a, LabAgent b) {
        assertThat(a.selected().remote().address()).as("a's remote is b's local").isEqualTo(b.selected().local().address());
        assertThat(b.selected().remote().address()).as("b's remote is a's local").isEqualTo(a.selected().local().address());
    }

    /** Datagrams go both ways through the two agents' IceConnections. */
    static void assertDataBothWays(LabAgent a, LabAgent b) throws Exception {
        a.send("from " + a.name);
        assertThat(b.receive(DATA)).as("%s receives from %s", b.name, a.name).isEqualTo("from " + a.name);
        b.send("from " + b.name);
        assertThat(a.receive(DATA)).as("%s receives from %s", a.name, b.name).isEqualTo("from " + b.name);
    }
}
