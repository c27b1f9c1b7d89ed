package org.cunicu4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.signaling.proto.signaling.GetRelaysParams;
import org.cunicu4j.signaling.proto.signaling.GetRelaysResp;
import org.cunicu4j.signaling.proto.signaling.RelayRegistryGrpc;
import org.cunicu4j.testlab.Waiter;
import org.junit.jupiter.api.Test;

class SignalCommandTest {

    @Test
    void aListenAddressWithoutPortIsAUsageError() {
        CliRun r = CliRun.run("signal", "--listen", "localhost");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--listen: listen address needs a port");
    }

    @Test
    void aCertificateWithoutKeyIsAUsageError() {
        CliRun r = CliRun.run("signal", "--tls-cert", "/etc/hostname");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--tls-cert and --tls-key go together");
    }

    @Test
    void aRelayThatIsNotTurnIsAUsageError() {
        CliRun r = CliRun.run("signal", "--relay", "stun:example.org:3478");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--relay: relay must be a turn: or turns: URL");
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = CliRun.run("signal", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("--listen", "--tls-cert", "--tls-key", "--relay", "--relay-secret-file",
                SignalCommand.SECRET_ENV);
    }

    @Test
    void anUnreadableOrEmptySecretFileIsAUsageError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("signal", "--relay", "turn:r:3478", "--relay-secret-file", dir.resolve("nope").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("--relay-secret-file: cannot read");
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        r = CliRun.run("signal", "--relay", "turn:r:3478", "--relay-secret-file", empty.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("holds an empty secret");
    }

    @Test
    void servesUntilSigtermThenStopsGracefully(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the secret from a file (not in the command line): a base64 one, '+' and '/' included
        String secret = "ab+cd/ef==";
        Path secretFile = Files.writeString(dir.resolve("turn-secret"), secret + "\n");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "org.cunicu4j.cli.Main", "signal", "--listen", "127.0.0.1:0",
                "--relay", "turn:relay.example:3478?ttl=10m", "--relay-secret-file", secretFile.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
            }
        });
        ManagedChannel ch = null;
        try {
            Waiter.until("the server says where it listens", Duration.ofSeconds(20),
                    () -> !lines.isEmpty() || !p.isAlive());
            Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(plaintext\\), 1 relay\\(s\\)")
                    .matcher(lines.getFirst());
            assertThat(m.find()).as(lines.getFirst()).isTrue();
            int port = Integer.parseInt(m.group(1));

            ch = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
            assertThat(HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(ServingStatus.SERVING);
            GetRelaysResp relays = RelayRegistryGrpc.newBlockingStub(ch).getRelays(GetRelaysParams.newBuilder()
                    .setPublicKey(ByteString.copyFrom(new byte[32])).build());
            assertThat(relays.getRelaysList()).singleElement().satisfies(r -> {
                assertThat(r.getUrl()).isEqualTo("turn:relay.example:3478");
                assertThat(r.getUsername()).endsWith(":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
                assertThat(r.getPassword()).isEqualTo(hmacSha1Base64(secret, r.getUsername()));
            });

            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its stdout)
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM: the JVM's exit after its hooks
            Waiter.until("the goodbye line", Duration.ofSeconds(5), () -> lines.size() >= 2);
            assertThat(lines.get(1)).startsWith("stopped: 0 published");
        } finally {
            if (ch != null) {
                ch.shutdownNow();
            }
            p.destroyForcibly();
        }
    }

    private static String hmacSha1Base64(String secret, String user) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return java.util.Base64.getEncoder().encodeToString(mac.doFinal(user.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
