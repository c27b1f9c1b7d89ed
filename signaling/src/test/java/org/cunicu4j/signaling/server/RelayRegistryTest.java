package org.cunicu4j.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.cunicu4j.signaling.proto.signaling.GetRelaysParams;
import org.cunicu4j.signaling.proto.signaling.GetRelaysResp;
import org.cunicu4j.signaling.proto.signaling.RelayInfo;
import org.cunicu4j.signaling.proto.signaling.RelayRegistryGrpc;
import org.junit.jupiter.api.Test;

class RelayRegistryTest {

    private static final Instant NOW = Instant.parse("2026-11-25T08:00:00Z");

    private static String hmacSha1Base64(String secret, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void getRelaysHandsOutTurnRestCredentialsThatVerify() throws Exception {
        ServerConfig config = ServerConfig.listen(new InetSocketAddress("127.0.0.1", 0))
                .withClock(Clock.fixed(NOW, ZoneOffset.UTC))
                .withRelays(List.of(
                        RelaySpec.parse("turn:relay1.example:3478?secret=s3cret"),
                        RelaySpec.parse("turns:relay2.example:5349?transport=tcp&secret=other&ttl=10m"),
                        RelaySpec.parse("turn:open.example:3478")));
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        String keyB64 = Base64.getEncoder().encodeToString(key);
        try (SignalingServer s = SignalingServer.start(config)) {
            ManagedChannel ch = TestKeys.channel(s);
            try {
                GetRelaysResp resp = RelayRegistryGrpc.newBlockingStub(ch)
                        .getRelays(GetRelaysParams.newBuilder().setPublicKey(ByteString.copyFrom(key)).build());
                assertThat(resp.getRelaysList()).hasSize(3);

                RelayInfo r1 = resp.getRelays(0);
                long expiry1 = NOW.getEpochSecond() + 3600; // default lifetime 1 h
                assertThat(r1.getUrl()).isEqualTo("turn:relay1.example:3478");
                assertThat(r1.getUsername()).isEqualTo(expiry1 + ":" + keyB64);
                assertThat(r1.getPassword()).isEqualTo(hmacSha1Base64("s3cret", r1.getUsername()));
                assertThat(r1.getExpires().getSeconds()).isEqualTo((int) expiry1);

                RelayInfo r2 = resp.getRelays(1);
                long expiry2 = NOW.getEpochSecond() + 600;
                assertThat(r2.getUrl()).as("secret and ttl stay on the server").isEqualTo("turns:relay2.example:5349?transport=tcp");
                assertThat(r2.getUsername()).isEqualTo(expiry2 + ":" + keyB64);
                assertThat(r2.getPassword()).isEqualTo(hmacSha1Base64("other", r2.getUsername()));
                assertThat(r2.getPassword()).isNotEqualTo(hmacSha1Base64("s3cret", r2.getUsername()));

                RelayInfo r3 = resp.getRelays(2);
                assertThat(r3.getUrl()).isEqualTo("turn:open.example:3478");
                assertThat(r3.getUsername()).isEmpty();
                assertThat(r3.hasExpires()).isFalse();

                assertThatThrownBy(() -> RelayRegistryGrpc.newBlockingStub(ch)
                        .getRelays(GetRelaysParams.newBuilder().setPublicKey(ByteString.copyFrom(new byte[5])).build()))
                        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
