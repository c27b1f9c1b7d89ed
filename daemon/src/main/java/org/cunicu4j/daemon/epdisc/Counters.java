package org.cunicu4j.daemon.epdisc;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link EndpointDiscoveryStats}. Thread-safe. */
final class Counters {
    final LongAdder unknownSender = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder ignored = new LongAdder();
    final LongAdder credentialsReceived = new LongAdder();
    final LongAdder credentialsSent = new LongAdder();
    final LongAdder candidatesReceived = new LongAdder();
    final LongAdder candidatesSent = new LongAdder();
    final LongAdder publishErrors = new LongAdder();
    final LongAdder restarts = new LongAdder();
    final LongAdder staleCredentials = new LongAdder();
    final LongAdder remoteCandidatesDropped = new LongAdder();

    EndpointDiscoveryStats snapshot() {
        return new EndpointDiscoveryStats(unknownSender.sum(), malformed.sum(), ignored.sum(),
                credentialsReceived.sum(), credentialsSent.sum(), candidatesReceived.sum(), candidatesSent.sum(),
                publishErrors.sum(), restarts.sum(), staleCredentials.sum(),
                remoteCandidatesDropped.sum());
    }
}
