package org.cunicu4j.wireguard.device;

import java.nio.ByteBuffer;
import org.cunicu4j.net.PacketBatch;
import org.cunicu4j.wireguard.crypto.ChaChaPoly;
import org.cunicu4j.wireguard.noise.Messages;

/**
 * The buffers one data-path thread works in, allocated once per thread: a heap scratch
 * array where packets are sealed and opened in place, the AEAD, an outgoing batch for the
 * Bind and a direct buffer for TUN writes. Not thread-safe: owned by one thread.
 */
final class SendContext {
    static final int MAX_MESSAGE = 65535;

    final byte[] scratch = new byte[MAX_MESSAGE + 64];
    final ByteBuffer scratchView = ByteBuffer.wrap(scratch);
    final ChaChaPoly aead = new ChaChaPoly();
    final PacketBatch out;
    final ByteBuffer tunOut = ByteBuffer.allocateDirect(MAX_MESSAGE);
    final byte[] handshake = new byte[Messages.INITIATION_SIZE];
    /** Where the next message goes in {@link #out}, and for which peer the slots before it are. */
    int outCount;
    Peer outPeer;
    /** A peer whose keypair should be renewed once the batch is sent. */
    Peer pendingRekey;

    SendContext(int batchSize, int mtu) {
        out = new PacketBatch(Math.max(1, batchSize), Math.min(MAX_MESSAGE, mtu + 64));
    }
}
