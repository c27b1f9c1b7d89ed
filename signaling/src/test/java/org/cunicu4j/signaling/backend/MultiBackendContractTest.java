package org.cunicu4j.signaling.backend;

import java.util.List;

/** The backend contract on two in-process hubs behind a multi-backend per peer. */
class MultiBackendContractTest extends BackendContract {

    private final String hub = "multi-contract-" + System.nanoTime();

    @Override
    protected SignalingBackend newPeer() {
        return new MultiBackend(List.of(InProcessBackend.open(hub + "-1"), InProcessBackend.open(hub + "-2")));
    }
}
