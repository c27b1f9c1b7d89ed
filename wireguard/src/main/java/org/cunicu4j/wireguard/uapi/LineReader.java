package org.cunicu4j.wireguard.uapi;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads {@code \n}-terminated lines of the UAPI protocol from a stream, each at most
 * {@link #MAX_LINE} characters (bytes are taken as ISO-8859-1: every valid line is ASCII).
 * Not thread-safe: one per connection.
 */
final class LineReader {
    /** Longer than any valid line (a key is 64 hex digits, an endpoint with a scope ~70). */
    static final int MAX_LINE = 4096;

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    private final StringBuilder line = new StringBuilder(128);
    private int number;
    private final long maxRequestBytes;
    private long requestBytes;

    LineReader(InputStream in) {
        this(in, Long.MAX_VALUE);
    }

    /** A reader that refuses more than {@code maxRequestBytes} between two {@link #startRequest()} calls. */
    LineReader(InputStream in, long maxRequestBytes) {
        this.in = in;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Starts counting the bytes of a new request against the limit. */
    void startRequest() {
        requestBytes = 0;
    }

    /** The number of the last line returned (the first line is 1). */
    int lineNumber() {
        return number;
    }

    /**
     * The next line without its {@code \n}; null at the end of the stream before any
     * character of a line.
     *
     * @throws UapiException (EINVAL) for a line over {@link #MAX_LINE}, a request over its byte
     *     limit, or a line cut by the end of the stream
     */
    String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    if (line.isEmpty()) {
                        return null;
                    }
                    throw new UapiException(UapiException.EINVAL, "line " + (number + 1) + ": cut off by the end of the stream");
                }
            }
            while (pos < end) {
                byte b = buf[pos++];
                if (++requestBytes > maxRequestBytes) {
                    throw new UapiException(UapiException.EINVAL, "line " + (number + 1) + ": the request exceeds "
                            + maxRequestBytes + " bytes");
                }
                if (b == '\n') {
                    number++;
                    return line.toString();
                }
                if (line.length() >= MAX_LINE) {
                    throw new UapiException(UapiException.EINVAL, "line " + (number + 1) + ": longer than " + MAX_LINE + " characters");
                }
                line.append((char) (b & 0xff));
            }
        }
    }
}
