package org.cunicu4j.signaling.grpc;

import java.net.InetSocketAddress;
import org.cunicu4j.signaling.backend.BackendContract;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.SignalingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract for gRPC clients of one loopback server (fresh keys per test). */
class GrpcBackendContractTest extends BackendContract {

    private static SignalingServer server;

    @BeforeAll
    static void startServer() {
        server = SignalingServer.start(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0)));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected SignalingBackend newPeer() {
        return Backends.open("grpc://127.0.0.1:" + server.port() + "?insecure=true");
    }
}
