package org.cunicu4j.signaling.multicast;

import org.cunicu4j.signaling.backend.BackendFactory;
import org.cunicu4j.signaling.backend.BackendUrl;
import org.cunicu4j.signaling.backend.SignalingBackend;

/**
 * The {@code multicast://GROUP:PORT[?interface=NAME][&loopback=true|false]} scheme (see
 * {@link MulticastTarget} for the defaults): opens a {@link MulticastBackend} in the calling
 * thread's network namespace. Listed in {@code META-INF/services}, so
 * {@code Backends.open("multicast://239.0.0.1:9999")} finds it. Stateless and thread-safe.
 */
public final class MulticastBackendFactory implements BackendFactory {

    @Override
    public String scheme() {
        return MulticastTarget.SCHEME;
    }

    /**
     * Opens the backend for {@code url}.
     *
     * @throws IllegalArgumentException when the URL is not a usable multicast target
     * @throws java.io.UncheckedIOException when the group cannot be joined (no such interface,
     *     no route to the group, ...)
     */
    @Override
    public SignalingBackend open(BackendUrl url) {
        return MulticastBackend.open(MulticastTarget.from(url));
    }
}
