package org.cunicu4j.signaling.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult.Opened;
import org.cunicu4j.signaling.seal.SealedBox;
import org.cunicu4j.signaling.server.ServerConfig;
import org.cunicu4j.signaling.server.SignalingServer;
import org.cunicu4j.testlab.Waiter;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Our server and client against messages written and read at the protobuf wire level (raw
 * field numbers from the cunīcu spec, gRPC methods by their full names, no generated
 * classes): what a cunīcu peer would send and expect.
 */
class GrpcWireCompatibilityTest {

    private static final Duration T = Duration.ofSeconds(10);

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> PUBLISH = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("cunicu.signaling.Signaling/Publish")
            .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();

    private static final MethodDescriptor<byte[], byte[]> SUBSCRIBE = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName("cunicu.signaling.Signaling/Subscribe")
            .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] encode(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        w.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** Message{credentials(1){ufrag(1), pwd(2), need_creds(3), written only when true as proto3 does}}. */
    private static byte[] credentialsMessage(String ufrag, String pwd, boolean needCreds) throws IOException {
        byte[] creds = encode(out -> {
            out.writeString(1, ufrag);
            out.writeString(2, pwd);
            if (needCreds) {
                out.writeBool(3, true);
            }
        });
        return encode(out -> out.writeByteArray(1, creds));
    }

    /** Envelope{sender(1), recipient(2), contents(3){body(1), nonce(2)}}. */
    private static byte[] envelope(byte[] sender, byte[] recipient, byte[] body, byte[] nonce) throws IOException {
        byte[] contents = encode(out -> {
            out.writeByteArray(1, body);
            out.writeByteArray(2, nonce);
        });
        return encode(out -> {
            out.writeByteArray(1, sender);
            out.writeByteArray(2, recipient);
            out.writeByteArray(3, contents);
        });
    }

    private SignalingServer server() {
        SignalingServer s = SignalingServer.start(ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0)));
        cleanup.add(s);
        return s;
    }

    private ManagedChannel rawChannel(SignalingServer s) {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", s.port(), InsecureChannelCredentials.create())
                .build();
        cleanup.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return ch;
    }

    private GrpcBackend client(SignalingServer s) {
        GrpcBackend b = GrpcBackend.open(GrpcBackendOptions.insecure("127.0.0.1", s.port()));
        cleanup.add(b);
        return b;
    }

    @Test
    void aHandBuiltEnvelopeIsRelayedByOurServerAndOpenedByOurClient() throws Exception {
        SignalingServer s = server();
        Key alice = Key.generatePrivate();
        Key bob = Key.generatePrivate();
        GrpcBackend b = client(s);
        List<Opened> got = new CopyOnWriteArrayList<>();
        b.subscribe(KeyPair.of(bob, alice.publicKey()), got::add).subscribed().get(10, TimeUnit.SECONDS);

        byte[] nonce = new byte[24];
        new SecureRandom().nextBytes(nonce);
        byte[] body = SealedBox.seal(credentialsMessage("ABCDEFGHIJKLMNOP", "p".repeat(32), true), nonce,
                bob.publicKey().bytes(), alice.bytes());
        byte[] env = envelope(alice.publicKey().bytes(), bob.publicKey().bytes(), body, nonce);
        byte[] reply = io.grpc.stub.ClientCalls.blockingUnaryCall(rawChannel(s), PUBLISH, CallOptions.DEFAULT, env);
        assertThat(reply).as("cunicu.Empty").isEmpty();

        Waiter.until("bob's client opens the hand-built envelope", T, () -> got.size() == 1);
        assertThat(got.getFirst().sender()).isEqualTo(alice.publicKey());
        assertThat(got.getFirst().message().getCredentials().getUfrag()).isEqualTo("ABCDEFGHIJKLMNOP");
        assertThat(got.getFirst().message().getCredentials().getNeedCreds()).isTrue();
    }

    @Test
    void ourServerAndClientProduceWhatTheWireFormatSays() throws Exception {
        SignalingServer s = server();
        Key alice = Key.generatePrivate();
        Key bob = Key.generatePrivate();
        ManagedChannel raw = rawChannel(s);
        List<byte[]> frames = new CopyOnWriteArrayList<>();
        ClientCall<byte[], byte[]> call = raw.newCall(SUBSCRIBE, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                frames.add(message);
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {}
        }, new Metadata());
        call.sendMessage(encode(out -> out.writeByteArray(1, bob.publicKey().bytes()))); // SubscribeParams{key(1)}
        call.halfClose();
        call.request(1);
        cleanup.add(() -> call.cancel("done", null));
        Waiter.until("the marker", T, () -> !frames.isEmpty());
        assertThat(frames.getFirst()).as("the marker is an empty Envelope: zero bytes").isEmpty();

        GrpcBackend a = client(s);
        a.publish(org.cunicu4j.signaling.proto.signaling.Message.newBuilder()
                .setCredentials(org.cunicu4j.signaling.proto.epdisc.Credentials.newBuilder().setUfrag("QRSTUVWXYZABCDEF")
                        .setPwd("q".repeat(32)))
                .build(), KeyPair.of(alice, bob.publicKey())).get(10, TimeUnit.SECONDS);
        Waiter.until("the envelope", T, () -> frames.size() == 2);

        // read the envelope field by field
        byte[] sender = null;
        byte[] recipient = null;
        byte[] body = null;
        byte[] nonce = null;
        CodedInputStream in = CodedInputStream.newInstance(frames.get(1));
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) | 2 -> sender = in.readByteArray();
                case (2 << 3) | 2 -> recipient = in.readByteArray();
                case (3 << 3) | 2 -> {
                    CodedInputStream c = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = c.readTag()) != 0; ) {
                        switch (t) {
                            case (1 << 3) | 2 -> body = c.readByteArray();
                            case (2 << 3) | 2 -> nonce = c.readByteArray();
                            default -> throw new AssertionError("unexpected field in EncryptedMessage: tag " + t);
                        }
                    }
                }
                default -> throw new AssertionError("unexpected field in Envelope: tag " + tag);
            }
        }
        assertThat(sender).isEqualTo(alice.publicKey().bytes());
        assertThat(recipient).isEqualTo(bob.publicKey().bytes());
        assertThat(nonce).hasSize(24);
        assertThat(body).hasSize(SealedBox.TAG_LENGTH + credentialsMessage("QRSTUVWXYZABCDEF", "q".repeat(32), false).length);
        byte[] plain = SealedBox.open(body, nonce, alice.publicKey().bytes(), bob.bytes());
        assertThat(plain).as("Message{credentials(1){ufrag(1), pwd(2)}}: need_creds false is not written")
                .isEqualTo(credentialsMessage("QRSTUVWXYZABCDEF", "q".repeat(32), false));
    }
}
