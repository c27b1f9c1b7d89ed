package org.cunicu4j.stun.turn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The 5-tuple to a TURN server on which one allocation lives: UDP over a
 * {@link org.cunicu4j.net.PacketConn}, or a TCP or TLS stream. It moves whole messages
 * (one STUN message or one ChannelData message) and hides the framing: streams pad
 * ChannelData to four bytes and read messages by their length field.
 *
 * <p>Threading: one reader thread calls {@link #receive}; any thread may {@link #send};
 * {@link #close} from any thread wakes the reader, whose receive then throws.
 */
sealed interface ServerLink extends AutoCloseable permits UdpServerLink, StreamServerLink {

    /** Sends one message, {@code msg}'s position to limit (left unchanged). */
    void send(ByteBuffer msg) throws IOException;

    /**
     * Blocks for the next message from the server. The returned buffer (position 0, limit the
     * message's length, ChannelData padding stripped) is owned by the link and valid until
     * the next call.
     */
    ByteBuffer receive() throws IOException;

    /** True for TCP and TLS (no retransmissions; ChannelData padded). */
    boolean reliable();

    /** The server's address. */
    InetSocketAddress server();

    /** This end's address. */
    InetSocketAddress localAddress();

    /** "udp", "tcp" or "tls". */
    String protocol();

    @Override
    void close();
}
