package org.cunicu4j.ice.lab;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.MessageType;
import org.cunicu4j.stun.StunCredentials;
import org.cunicu4j.stun.StunMessage;
import org.cunicu4j.stun.TransactionId;

/**
 * Hostile datagrams for an ICE port, sent from a socket of the test's: random bytes (not
 * STUN), truncated STUN (the header promises more than comes), Binding requests for a
 * username fragment nobody has, and Binding requests for the right fragment whose
 * MESSAGE-INTEGRITY was made with the wrong password. Seeded: the seed is in every message.
 */
final class BadInput {
    final long seed;
    private final Random random;
    private final PacketConn from;
    private final PacketBatch batch = new PacketBatch(1, 2048);

    BadInput(long seed, PacketConn from) {
        this.seed = seed;
        this.random = new Random(seed);
        this.from = from;
    }

    /** {@code n} datagrams of 1..300 random bytes whose first byte is not STUN's (top bits 0). */
    void random(InetSocketAddress to, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[1 + random.nextInt(300)];
            random.nextBytes(b);
            b[0] = (byte) (b[0] | 0x80); // never STUN, never WireGuard's 1..4
            send(to, b);
        }
    }

    /** {@code n} Binding requests cut short after the 20-byte header plus 0..k bytes. */
    void truncatedStun(InetSocketAddress to, String username, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] full = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                    .username(username).priority(1).fingerprint().build();
            int len = StunMessage.HEADER_SIZE + 1 + random.nextInt(full.length - StunMessage.HEADER_SIZE - 1);
            byte[] cut = new byte[len];
            System.arraycopy(full, 0, cut, 0, len);
            send(to, cut);
        }
    }

    /** {@code n} well-formed Binding requests with USERNAME {@code username}, keyed with {@code password}. */
    void bindingRequests(InetSocketAddress to, String username, String password, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] b = StunMessage.builder(MessageType.BINDING_REQUEST, TransactionId.random())
                    .username(username).priority(1_000_000 + i).iceControlled(random.nextLong())
                    .messageIntegrity(StunCredentials.shortTermKey(password)).fingerprint().build();
            send(to, b);
        }
    }

    /** A password nobody uses. */
    static String wrongPassword() {
        return "not-the-password-" + "x".repeat(16);
    }

    private void send(InetSocketAddress to, byte[] bytes) throws Exception {
        ByteBuffer buf = batch.buffer(0).clear();
        buf.put(bytes).flip();
        batch.setAddress(0, to);
        batch.setCount(1);
        from.send(batch);
    }

    @Override
    public String toString() {
        return "bad input, seed " + seed;
    }
}
