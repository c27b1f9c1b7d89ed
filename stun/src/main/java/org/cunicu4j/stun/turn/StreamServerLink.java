package org.cunicu4j.stun.turn;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSocket;

/**
 * A {@link ServerLink} over a connected TCP or TLS socket that this link owns. Messages are
 * framed by their own length fields (RFC 8656 section 12.5): a STUN message is 20 bytes of
 * header plus its length; ChannelData is 4 bytes plus its length, padded to four.
 */
final class StreamServerLink implements ServerLink {
    private static final int MAX_MESSAGE = 65535 + 20;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] readBuffer = new byte[MAX_MESSAGE + 4];
    private final ByteBuffer readView = ByteBuffer.wrap(readBuffer);
    private final byte[] writeBuffer = new byte[MAX_MESSAGE + 4];
    private final InetSocketAddress server;

    StreamServerLink(Socket socket) throws IOException {
        this.socket = socket;
        InputStream raw = socket.getInputStream();
        this.in = new DataInputStream(raw);
        this.out = socket.getOutputStream();
        this.server = (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public void send(ByteBuffer msg) throws IOException {
        int len = msg.remaining();
        boolean channelData = ChannelData.looksLike(msg);
        int wire = channelData ? ChannelData.wireLength(ChannelData.length(msg), true) : len;
        synchronized (writeBuffer) {
            msg.get(msg.position(), writeBuffer, 0, len);
            for (int i = len; i < wire; i++) {
                writeBuffer[i] = 0;
            }
            out.write(writeBuffer, 0, wire);
            out.flush();
        }
    }

    @Override
    public ByteBuffer receive() throws IOException {
        in.readFully(readBuffer, 0, 4);
        int first = readBuffer[0] & 0xFF;
        int length = (readBuffer[2] & 0xFF) << 8 | (readBuffer[3] & 0xFF);
        int total;
        int wire;
        if ((first & 0xC0) == 0) {
            total = 20 + length;
            wire = total;
        } else if (ChannelData.isChannel(first << 8 | (readBuffer[1] & 0xFF))) {
            total = 4 + length;
            wire = ChannelData.wireLength(length, true);
        } else {
            throw new IOException("TURN server " + server + " sent a frame that is neither STUN nor ChannelData "
                    + "(first byte 0x" + Integer.toHexString(first) + "); the stream is out of step");
        }
        if (wire > readBuffer.length) {
            throw new EOFException("frame too long: " + wire);
        }
        in.readFully(readBuffer, 4, wire - 4);
        return readView.clear().limit(total);
    }

    @Override
    public boolean reliable() {
        return true;
    }

    @Override
    public InetSocketAddress server() {
        return server;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public String protocol() {
        return socket instanceof SSLSocket ? "tls" : "tcp";
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is best effort; the reader wakes either way
        }
    }
}
