package org.cunicu4j.e2e.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cunicu4j.signaling.backend.Backends;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.proto.epdisc.Credentials;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.wireguard.Key;

/**
 * A process that plays a stranger on the signaling server: it makes a throwaway WireGuard
 * key pair, seals {@code count} credential messages (with {@code need_creds}) from it to a
 * recipient's public key, publishes them through the backend URL (e.g.
 * {@code grpc://198.18.0.10:8080?insecure=true}), waits until the server took each, prints
 * {@code published N from <public key>} and exits 0 (1 on an error, the reason on stderr).
 * It runs as a process of its own so that it can be started inside a lab namespace (gRPC's
 * sockets are opened on its own threads, which a {@code NetNs.call} would not move).
 *
 * <p>Usage: {@code UnknownSender BACKEND_URL RECIPIENT_PUBLIC_KEY [COUNT]}
 */
public final class UnknownSender {
    private UnknownSender() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: UnknownSender BACKEND_URL RECIPIENT_PUBLIC_KEY [COUNT]");
            System.exit(2);
        }
        Key recipient = Key.parsePublic(args[1]);
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Key stranger = Key.generatePrivate();
        int code = 0;
        try (SignalingBackend backend = Backends.open(args[0])) {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Message m = Message.newBuilder().setCredentials(Credentials.newBuilder()
                        .setUfrag("strangerstranger").setPwd("strangerstrangerstrangerstranger").setNeedCreds(true))
                        .build();
                sent.add(backend.publish(m, KeyPair.of(stranger, recipient)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(Duration.ofSeconds(20).toMillis(),
                    TimeUnit.MILLISECONDS);
            System.out.println("published " + count + " from " + stranger.publicKey().toBase64());
        } catch (Exception e) {
            System.err.println("UnknownSender: " + e);
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }
}
