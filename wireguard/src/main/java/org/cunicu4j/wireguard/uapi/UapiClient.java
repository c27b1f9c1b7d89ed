package org.cunicu4j.wireguard.uapi;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.linux.Errno;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.WireGuardControl;

/**
 * {@link WireGuardControl} over a userspace device's UAPI socket: wireguard-go, boringtun
 * or our own {@link UapiServer}. Each call opens its own connection (as {@code wg} does),
 * so the client holds nothing between calls and is thread-safe. A call that gets no
 * complete answer within the timeout (default {@value #DEFAULT_TIMEOUT_SECONDS} s) fails
 * naming the device: a hung device does not hang its caller.
 */
public final class UapiClient implements WireGuardControl {
    /** How long a call waits for the device's complete answer unless told otherwise. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 10;

    private final String name;
    private final Path socket;
    private final Duration timeout;

    private UapiClient(String name, Path socket, Duration timeout) {
        this.name = name;
        this.socket = socket;
        this.timeout = timeout;
    }

    /** The device {@code ifname} at {@code /var/run/wireguard/<ifname>.sock}. */
    public static UapiClient of(String ifname) {
        return new UapiClient(ifname, UapiSockets.socketOf(ifname), Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    }

    /** The device {@code name} at {@code socket}. */
    public static UapiClient of(String name, Path socket) {
        return new UapiClient(name, socket, Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    }

    /** This client with another per-call timeout. */
    public UapiClient withTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return new UapiClient(name, socket, timeout);
    }

    @Override
    public String name() {
        return name;
    }

    /** The socket this client connects to. */
    public Path socket() {
        return socket;
    }

    @Override
    public DeviceStatus status() throws IOException {
        return timed("get=1", this::get);
    }

    @Override
    public void apply(DeviceUpdate update) throws IOException {
        String request = "set=1\n" + UapiCodec.formatUpdate(update) + "\n"; // an unresolved endpoint fails here
        timed("set=1", ch -> {
            set(ch, request);
            return null;
        });
    }

    private interface Call<T> {
        T run(SocketChannel ch) throws IOException;
    }

    /** Runs {@code call} on a fresh connection that a watchdog closes at the deadline. */
    private <T> T timed(String op, Call<T> call) throws IOException {
        SocketChannel ch = connect();
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("uapi-client-watchdog").start(() -> {
            try {
                if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    timedOut.set(true);
                    ch.close();
                }
            } catch (InterruptedException | IOException ignored) {
                // finishing
            }
        });
        try (ch) {
            return call.run(ch);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new UapiException(UapiException.EIO, "device " + name + " (" + socket + "): no complete answer to "
                        + op + " within " + timeout.toMillis() + " ms");
            }
            throw e;
        } finally {
            done.countDown();
            watchdog.interrupt();
        }
    }

    private DeviceStatus get(SocketChannel ch) throws IOException {
        write(ch, "get=1\n\n");
        LineReader reader = new LineReader(Channels.newInputStream(ch));
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = reader.readLine();
            if (l == null) {
                throw protocol("get=1", "the answer ended before errno=");
            }
            if (l.startsWith("errno=")) {
                int errno = errno(l, "get=1");
                if (errno != 0) {
                    throw refused("get=1", errno);
                }
                break;
            }
            lines.add(l);
        }
        try {
            return UapiCodec.parseStatus(lines, 1);
        } catch (UapiException e) {
            throw new UapiException(e.errno(), "device " + name + " (" + socket + "): get=1 answer, " + e.getMessage());
        }
    }

    private void set(SocketChannel ch, String request) throws IOException {
        write(ch, request);
        LineReader reader = new LineReader(Channels.newInputStream(ch));
        String l = reader.readLine();
        if (l == null || !l.startsWith("errno=")) {
            throw protocol("set=1", l == null ? "no answer" : "the answer is not errno=N");
        }
        int errno = errno(l, "set=1");
        if (errno != 0) {
            throw refused("set=1", errno);
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException("device " + name + ": cannot connect to its UAPI socket " + socket + ": " + e.getMessage(), e);
        }
    }

    private static void write(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private int errno(String line, String op) throws UapiException {
        String v = line.substring("errno=".length());
        // wireguard-go and our UapiServer send errors negated (errno=-22); accept either sign
        String digits = v.startsWith("-") ? v.substring(1) : v;
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw protocol(op, "'" + UapiCodec.printable(line) + "' is not errno=N");
        }
        return Integer.parseInt(digits);
    }

    private UapiException refused(String op, int errno) {
        return new UapiException(errno, "device " + name + " (" + socket + ") refused " + op + ": errno=" + errno
                + " " + Errno.name(errno) + " (" + Errno.description(errno) + ")");
    }

    private UapiException protocol(String op, String what) {
        return new UapiException(UapiException.EPROTO, "device " + name + " (" + socket + "): " + op + ": " + what);
    }

    @Override
    public String toString() {
        return "UapiClient[" + name + " at " + socket + "]";
    }
}
