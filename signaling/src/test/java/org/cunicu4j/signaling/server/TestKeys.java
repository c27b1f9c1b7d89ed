package org.cunicu4j.signaling.server;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;

/** Fake 32-byte keys and unopened envelopes for server tests (the server never opens them). */
final class TestKeys {
    private TestKeys() {}

    static ByteString key(int n) {
        byte[] k = new byte[32];
        k[0] = (byte) 0x42;
        k[30] = (byte) (n >> 8);
        k[31] = (byte) n;
        return ByteString.copyFrom(k);
    }

    static Envelope envelope(int from, int to, String body) {
        return Envelope.newBuilder()
                .setSender(key(from))
                .setRecipient(key(to))
                .setContents(EncryptedMessage.newBuilder()
                        .setBody(ByteString.copyFromUtf8(body))
                        .setNonce(ByteString.copyFrom(new byte[24])))
                .build();
    }

    static ManagedChannel channel(SignalingServer server) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create()).build();
    }
}
