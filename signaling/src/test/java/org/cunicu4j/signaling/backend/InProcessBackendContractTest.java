package org.cunicu4j.signaling.backend;

/** The backend contract on one in-process hub per test. */
class InProcessBackendContractTest extends BackendContract {

    private final String hub = "contract-" + System.nanoTime();

    @Override
    protected SignalingBackend newPeer() {
        return InProcessBackend.open(hub);
    }
}
