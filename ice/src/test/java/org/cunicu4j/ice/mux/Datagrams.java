package org.cunicu4j.ice.mux;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;

/** Datagrams the mux tests send: ICE checks, their responses, WireGuard-shaped messages. */
final class Datagrams {
    private Datagrams() {}

    /** A Binding request as an ICE check to the agent whose fragment is {@code localUfrag}. */
    static byte[] check(String localUfrag, String remoteUfrag) {
        return StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                .username(localUfrag + ":" + remoteUfrag).priority(12345).fingerprint().build();
    }

    static byte[] success(InetSocketAddress mapped) {
        return StunMessage.builder(MessageType.BINDING_SUCCESS, TransactionId.random())
                .xorMappedAddress(mapped).fingerprint().build();
    }

    static byte[] indication() {
        return StunMessage.builder(MessageType.BINDING_INDICATION, TransactionId.random()).fingerprint().build();
    }

    /** A WireGuard transport data message of {@code length} bytes (at least 32). */
    static byte[] wireGuardData(int length, int receiver) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4).putInt(receiver).putLong(7);
        return b.array();
    }

    /** A WireGuard handshake initiation (148 bytes). */
    static byte[] wireGuardInitiation() {
        ByteBuffer b = ByteBuffer.allocate(148).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1).putInt(0x2112A442); // a sender index equal to the STUN cookie: still WireGuard
        return b.array();
    }

    static InetSocketAddress addr(String ip, int port) {
        return new InetSocketAddress(java.net.InetAddress.ofLiteral(ip), port);
    }

    static void put(PacketBatch batch, int slot, byte[] data, InetSocketAddress from) {
        batch.buffer(slot).clear().put(data).flip();
        batch.setAddress(slot, from);
    }
}
