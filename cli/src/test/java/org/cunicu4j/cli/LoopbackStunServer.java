package org.cunicu4j.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.cunicu4j.stun.StunMessage;

/** A STUN Binding responder on a loopback UDP port, for netcheck tests without root. */
final class LoopbackStunServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;

    LoopbackStunServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = Thread.ofPlatform().daemon().name("loopback-stun").start(this::serve);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                StunMessage m = StunMessage.parse(ByteBuffer.wrap(buf, 0, p.getLength()));
                InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
                byte[] reply = StunMessage.builder(m.type().success(), m.transactionId()).xorMappedAddress(from)
                        .fingerprint().build();
                socket.send(new DatagramPacket(reply, reply.length, from));
            } catch (IOException | org.cunicu4j.stun.StunParseException | RuntimeException e) {
                // closed, or garbage: go on until closed
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
