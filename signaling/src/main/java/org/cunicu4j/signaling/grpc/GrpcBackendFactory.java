package org.cunicu4j.signaling.grpc;

import org.cunicu4j.signaling.backend.BackendFactory;
import org.cunicu4j.signaling.backend.BackendUrl;
import org.cunicu4j.signaling.backend.SignalingBackend;

/** Opens {@link GrpcBackend}s for {@code grpc://host:port[?insecure=true][&ca=FILE]}. Stateless. */
public final class GrpcBackendFactory implements BackendFactory {

    @Override
    public String scheme() {
        return "grpc";
    }

    @Override
    public SignalingBackend open(BackendUrl url) {
        return GrpcBackend.open(GrpcBackendOptions.fromUrl(url));
    }
}
