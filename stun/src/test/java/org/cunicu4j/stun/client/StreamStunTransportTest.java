package org.cunicu4j.stun.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StreamStunTransport against a small STUN-over-stream responder on loopback, over TCP and TLS. */
class StreamStunTransportTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /**
     * Accepts one connection and answers every request with its XOR-MAPPED-ADDRESS, sending
     * first a padded ChannelData frame and a Data indication (when {@code chatty}); silent
     * when {@code silent}; closes the connection after the first request when {@code hangUp}.
     */
    static Thread responder(ServerSocket listener, boolean chatty, boolean silent, boolean hangUp) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                StreamFramer framer = new StreamFramer();
                byte[] chunk = new byte[4096];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    framer.feed(chunk, 0, n);
                    StreamFramer.Frame f;
                    while ((f = framer.next()) != null) {
                        StunMessage req = StunMessage.parse(f.data());
                        if (hangUp) {
                            return;
                        }
                        if (silent) {
                            continue;
                        }
                        if (chatty) {
                            out.write(new byte[] {0x40, 0x01, 0, 3, 7, 8, 9, 0});
                            out.write(StunMessage.builder(MessageType.DATA_INDICATION, TransactionId.random())
                                    .data(new byte[] {1}).build());
                        }
                        out.write(StunMessage.builder(req.type().success(), req.transactionId())
                                .xorMappedAddress((InetSocketAddress) s.getRemoteSocketAddress()).build());
                        out.flush();
                    }
                }
            } catch (Exception e) {
                // the test's assertions tell what went wrong
            }
        });
    }

    @Test
    void bindingOverTcpAndInboundFrames() throws Exception {
        List<String> inbound = new CopyOnWriteArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            responder(listener, true, false, false);
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            try (StreamStunTransport t = StreamStunTransport.connectTcp(server, Duration.ofSeconds(5),
                    (data, from) -> inbound.add(data.remaining() + "@" + from.getPort()))) {
                assertThat(t.protocol()).isEqualTo("TCP");
                BindingResult r = new BindingClient(t).discover();
                assertThat(r.mappedAddress()).isEqualTo(t.localAddress());
                assertThat(r.requests()).isEqualTo(1);
                Waiter.until("two inbound frames", Duration.ofSeconds(2), () -> inbound.size() == 2);
                int p = server.getPort();
                assertThat(inbound).containsExactly("7@" + p, "28@" + p); // ChannelData unpadded, Data indication
                assertThat(new BindingClient(t).discover().mappedAddress()).isEqualTo(t.localAddress());
            }
        }
    }

    @Test
    void aSilentServerTimesOutOnceWithAClearMessage() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            responder(listener, false, true, false);
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            try (StreamStunTransport t = StreamStunTransport.connectTcp(server, Duration.ofMillis(300), null)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> new BindingClient(t).discover()).isInstanceOf(StunTimeoutException.class)
                        .hasMessage("no response from 127.0.0.1:" + server.getPort() + " over TCP in 0.3 s");
                assertThat(System.nanoTime() - start).isBetween(TimeUnit.MILLISECONDS.toNanos(280),
                        TimeUnit.SECONDS.toNanos(3));
            }
        }
    }

    @Test
    void aWriteBlockedLongerThanTheTimeoutClosesTheConnection() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept(); // and never read
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            try (StreamStunTransport t = StreamStunTransport.connectTcp(server, Duration.ofMillis(300), null);
                    Socket peer = accepted.get(5, TimeUnit.SECONDS)) {
                java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(60_000);
                chunk.put(0, (byte) 0x40); // ChannelData 0x4000
                chunk.putShort(2, (short) (60_000 - 4));
                long start = System.nanoTime();
                assertThatThrownBy(() -> {
                    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
                        t.send(chunk);
                    }
                }).isInstanceOf(java.io.IOException.class).hasMessageContaining("a write was blocked for more than 300 ms");
                assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
                Waiter.until("the transport knows", Duration.ofSeconds(2), t::isClosed);
            }
        }
    }

    @Test
    void aServerHangingUpFailsThePendingTransaction() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            responder(listener, false, false, true);
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            CompletableFuture<java.io.IOException> ended = new CompletableFuture<>();
            InboundHandler handler = new InboundHandler() {
                @Override
                public void onInbound(java.nio.ByteBuffer data, InetSocketAddress from) {}

                @Override
                public void onReaderEnd(java.io.IOException cause) {
                    ended.complete(cause);
                }
            };
            try (StreamStunTransport t = StreamStunTransport.connectTcp(server, Duration.ofSeconds(10), handler)) {
                CompletableFuture<StunResponse> f = t.request(BindingClient.bindingRequest());
                assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().hasMessage("TCP connection to 127.0.0.1:" + server.getPort() + " closed by the server");
                assertThat(ended.get(5, TimeUnit.SECONDS)).as("the handler hears why the reader ended")
                        .hasMessage("TCP connection to 127.0.0.1:" + server.getPort() + " closed by the server");
                Waiter.until("the transport knows", Duration.ofSeconds(2), t::isClosed);
                assertThat(t.request(BindingClient.bindingRequest())).isCompletedExceptionally();
            }
        }
    }

    @Test
    void bindingOverTls(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("stun.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Exec.run(Duration.ofSeconds(60), List.of(keytool, "-genkeypair", "-keyalg", "EC", "-alias", "stun",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "1",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "secret1")).orThrow();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "secret1".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret1".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLServerSocket listener = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, LOOPBACK)) {
            responder(listener, true, false, false);
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            try (StreamStunTransport t = StreamStunTransport.connectTls(server, "localhost", ctx.getSocketFactory(),
                    Duration.ofSeconds(10), null)) {
                assertThat(t.protocol()).isEqualTo("TLS");
                assertThat(new BindingClient(t).discover().mappedAddress()).isEqualTo(t.localAddress());
            }
        }
        // a name the certificate does not carry is refused
        try (SSLServerSocket listener = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, LOOPBACK)) {
            responder(listener, false, false, false);
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            assertThatThrownBy(() -> StreamStunTransport.connectTls(server, "stun.example.org", ctx.getSocketFactory(),
                    Duration.ofSeconds(10), null)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.getPort() + " (as \"stun.example.org\")")
                    .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
        // no name: the certificate is checked against the IP (it has 127.0.0.1, not 127.0.0.2)
        try (SSLServerSocket listener = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.2"))) {
            responder(listener, false, false, false);
            InetSocketAddress server = (InetSocketAddress) listener.getLocalSocketAddress();
            assertThatThrownBy(() -> StreamStunTransport.connectTls(server, null, ctx.getSocketFactory(),
                    Duration.ofSeconds(10), null)).hasMessageContaining("(as \"127.0.0.2\")")
                    .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void sendPadsChannelDataOnTheStream() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try (Socket s = listener.accept()) {
                    return s.getInputStream().readNBytes(16);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (StreamStunTransport t = StreamStunTransport.connectTcp(
                    (InetSocketAddress) listener.getLocalSocketAddress(), Duration.ofSeconds(5), null)) {
                ByteBuffer cd = ByteBuffer.wrap(new byte[] {0x40, 0, 0, 3, 1, 2, 3}); // unpadded
                t.send(cd);
                assertThat(cd.position()).isZero();
                t.send(ByteBuffer.wrap(new byte[] {0x4F, (byte) 0xFF, 0, 2, 4, 5, 0, 0})); // padded already
                assertThat(got.get(5, TimeUnit.SECONDS)).containsExactly(
                        0x40, 0, 0, 3, 1, 2, 3, 0, 0x4F, 0xFF, 0, 2, 4, 5, 0, 0);
            }
        }
    }
}
