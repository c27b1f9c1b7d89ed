package org.cunicu4j.daemon.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.control.proto.Event;
import org.cunicu4j.daemon.control.proto.Pair;
import org.cunicu4j.daemon.control.proto.Peer;
import org.cunicu4j.daemon.control.proto.Status;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    @Test
    void statusRoundTripsWithAndWithoutOptionalFields() throws Exception {
        DaemonStatus s = FakeDaemonApi.fixedStatus().withCounters(java.util.Map.of("b_count", 2L, "a_count", 1L));
        Status wire = Status.parseFrom(ControlCodec.encode(s).toByteArray());
        assertThat(ControlCodec.decode(wire)).isEqualTo(s);
        assertThat(ControlCodec.decode(wire).counters().keySet()).containsExactly("a_count", "b_count");
        DaemonStatus bare = new DaemonStatus(null, 1, null,
                List.of(new InterfaceStatus("wg1", "kernel", null, 0, null, null, List.of())));
        assertThat(ControlCodec.decode(ControlCodec.encode(bare)))
                .isEqualTo(new DaemonStatus("", 1, null, List.of(new InterfaceStatus("wg1", "kernel", null, 0, null, null, List.of()))));
    }

    @Test
    void eventsRoundTrip() {
        DaemonEvent full = FakeDaemonApi.event(7);
        assertThat(ControlCodec.decode(ControlCodec.encode(full))).isEqualTo(full);
        DaemonEvent bare = new DaemonEvent(Instant.EPOCH, DaemonEvent.Type.ERROR, null, null, null, null, null);
        assertThat(ControlCodec.decode(ControlCodec.encode(bare))).isEqualTo(bare);
    }

    @Test
    void onlyPublicKeysCross() {
        assertThatThrownBy(() -> ControlCodec.publicKey(Key.generatePrivate()))
                .hasMessage("only public keys cross the control socket, got a PRIVATE key");
    }

    @Test
    void nonsenseFromTheWireNamesTheField() {
        Status bad = Status.newBuilder().addInterfaces(org.cunicu4j.daemon.control.proto.Interface.newBuilder()
                .setName("wg0").addPeers(Peer.newBuilder().setPublicKey(com.google.protobuf.ByteString.copyFrom(new byte[5])))).build();
        assertThatThrownBy(() -> ControlCodec.decode(bad)).hasMessage("peer public_key: a key must be 32 bytes, got 5");
        Status badState = Status.newBuilder().addInterfaces(org.cunicu4j.daemon.control.proto.Interface.newBuilder()
                .setName("wg0").addPeers(Peer.newBuilder().setPublicKey(ControlCodec.publicKey(FakeDaemonApi.PEER_A))
                        .setState("DANCING"))).build();
        assertThatThrownBy(() -> ControlCodec.decode(badState)).hasMessageContaining("peer state: 'DANCING'");
        Status badIp = Status.newBuilder().addInterfaces(org.cunicu4j.daemon.control.proto.Interface.newBuilder()
                .setName("wg0").addPeers(Peer.newBuilder().setPublicKey(ControlCodec.publicKey(FakeDaemonApi.PEER_A))
                        .setState("CONNECTED").setSelectedPair(Pair.newBuilder().setLocalType("HOST")
                                .setLocal(org.cunicu4j.daemon.control.proto.Address.newBuilder().setIp("example.com").setPort(1))))).build();
        assertThatThrownBy(() -> ControlCodec.decode(badIp)).hasMessage("pair local: 'example.com' is not an IP address literal");
        assertThatThrownBy(() -> ControlCodec.decode(Event.newBuilder().setType("NOPE").build())).hasMessageContaining("event type: 'NOPE'");
    }
}
