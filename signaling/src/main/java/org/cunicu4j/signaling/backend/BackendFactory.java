package org.cunicu4j.signaling.backend;

/**
 * Creates the backend for one URL scheme ({@code grpc}, {@code multicast}, ...). Found by
 * {@link java.util.ServiceLoader} (see {@link Backends}) or registered with
 * {@link Backends#register}. Implementations are stateless and thread-safe, with a public
 * no-argument constructor.
 */
public interface BackendFactory {

    /** The URL scheme this factory serves, lower case, e.g. {@code "grpc"}. */
    String scheme();

    /**
     * Opens a backend for {@code url}, whose scheme is {@link #scheme()}.
     *
     * @throws IllegalArgumentException when the URL is not usable (missing port, unknown
     *     parameter, ...), with a message that names the URL
     */
    SignalingBackend open(BackendUrl url);
}
