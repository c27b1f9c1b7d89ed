package org.cunicu4j.signaling.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.cunicu4j.signaling.proto.Timestamp;
import org.cunicu4j.signaling.proto.signaling.GetRelaysParams;
import org.cunicu4j.signaling.proto.signaling.GetRelaysResp;
import org.cunicu4j.signaling.proto.signaling.RelayInfo;
import org.cunicu4j.signaling.proto.signaling.RelayRegistryGrpc;
import org.cunicu4j.stun.turn.TurnRestCredentials;

/**
 * {@code cunicu.signaling.RelayRegistry}: for each configured relay, TURN REST API
 * credentials for the asking peer's public key (user name {@code "<expiry>:<base64 key>"},
 * password {@code base64(HMAC-SHA1(secret, user name))}); a relay without a secret is listed
 * without credentials. Stateless and thread-safe.
 */
final class RelayRegistryService extends RelayRegistryGrpc.RelayRegistryImplBase {

    private final List<RelaySpec> relays;
    private final Clock clock;
    private final ServerCounters counters;

    RelayRegistryService(List<RelaySpec> relays, Clock clock, ServerCounters counters) {
        this.relays = List.copyOf(relays);
        this.clock = clock;
        this.counters = counters;
    }

    @Override
    public void getRelays(GetRelaysParams request, StreamObserver<GetRelaysResp> response) {
        if (request.getPublicKey().size() != SignalingService.KEY_LENGTH) {
            counters.rejected.increment();
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("public_key must be 32 bytes, got " + request.getPublicKey().size())
                    .asRuntimeException());
            return;
        }
        String name = Base64.getEncoder().encodeToString(request.getPublicKey().toByteArray());
        GetRelaysResp.Builder resp = GetRelaysResp.newBuilder();
        for (RelaySpec relay : relays) {
            RelayInfo.Builder info = RelayInfo.newBuilder().setUrl(relay.url());
            if (relay.secret() != null) {
                // the proto's seconds are 32-bit; RelaySpec.MAX_TTL keeps the expiry within them
                TurnRestCredentials c = TurnRestCredentials.issue(relay.secret(), name, clock.instant(), relay.ttl());
                info.setUsername(c.username())
                        .setPassword(c.password())
                        .setExpires(Timestamp.newBuilder().setSeconds(Math.toIntExact(c.expiry().getEpochSecond())));
            }
            resp.addRelays(info);
        }
        response.onNext(resp.build());
        response.onCompleted();
    }
}
