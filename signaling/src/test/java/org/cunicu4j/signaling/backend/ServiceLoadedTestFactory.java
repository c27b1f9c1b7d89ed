package org.cunicu4j.signaling.backend;

/** Found through META-INF/services in the test resources; opens an in-process hub. */
public final class ServiceLoadedTestFactory implements BackendFactory {

    @Override
    public String scheme() {
        return "loaded-test";
    }

    @Override
    public SignalingBackend open(BackendUrl url) {
        return InProcessBackend.open("loaded-" + url.opaque());
    }
}
