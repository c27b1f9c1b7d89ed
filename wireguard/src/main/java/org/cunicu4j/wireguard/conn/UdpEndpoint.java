package org.cunicu4j.wireguard.conn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.cunicu4j.linux.socket.SockAddr;
import org.cunicu4j.net.IpLiterals;
import org.cunicu4j.net.PacketBatch;

/**
 * A plain UDP endpoint of a {@link UdpBind}: an IP address (4 or 16 raw bytes) and a port.
 * {@link #matches} compares raw bytes and the port, allocating nothing.
 *
 * <p>Text form ({@link #parse}, {@link #toString}) is the {@code wg} tool's: {@code
 * 192.0.2.1:51820} or {@code [2001:db8::1]:51820}. Only IP literals are parsed (by
 * {@link IpLiterals}, so leading zeros are refused as in allowed IPs): host names
 * are refused, as wireguard-go's UAPI refuses them (the {@code wg} tool resolves names
 * before it talks to a device). IPv6 zones ({@code %eth0}) and link-local addresses are
 * refused too: a link-local address means nothing without its interface.
 *
 * <p>Immutable and thread-safe.
 */
public final class UdpEndpoint implements Endpoint {

    private final byte[] raw;
    private final int port;
    private final InetSocketAddress address;

    private UdpEndpoint(byte[] raw, int port) {
        this.raw = raw;
        this.port = port;
        try {
            this.address = new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always form an address", e);
        }
    }

    /**
     * An endpoint from raw address bytes (copied; a v4-mapped IPv6 address becomes IPv4).
     *
     * @throws IllegalArgumentException for a length other than 4 or 16 or a port outside 0..65535
     */
    public static UdpEndpoint of(byte[] addr, int offset, int length, int port) {
        if (length != 4 && length != 16) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes long, not " + length);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (length == 16 && isV4Mapped(addr, offset)) {
            return new UdpEndpoint(Arrays.copyOfRange(addr, offset + 12, offset + 16), port);
        }
        return new UdpEndpoint(Arrays.copyOfRange(addr, offset, offset + length), port);
    }

    /** The endpoint of a resolved socket address. */
    public static UdpEndpoint of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        byte[] b = ip.getAddress();
        return of(b, 0, b.length, address.getPort());
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port}; the port is 1..65535.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static UdpEndpoint parse(String text) {
        String s = text.strip();
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw bad(text, "'[' without a closing ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw bad(text, "expected ':port' after ']'");
            }
            portText = rest.substring(1);
            if (host.indexOf(':') < 0) {
                throw bad(text, "'" + host + "' in brackets is not an IPv6 address");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "expected address:port or [IPv6 address]:port");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, "an IPv6 address needs brackets: [address]:port");
            }
        }
        int port = parsePort(text, portText);
        byte[] addr = parseLiteral(text, host);
        if (addr.length == 16 && SockAddr.isLinkLocal(addr, 0)) {
            throw bad(text, "link-local addresses (fe80::/10) need an interface, which endpoints do not carry");
        }
        return of(addr, 0, addr.length, port);
    }

    private static int parsePort(String text, String p) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(text, "the port '" + p + "' is not a number 1..65535");
        }
        int port = Integer.parseInt(p);
        if (port < 1 || port > 65535) {
            throw bad(text, "the port " + port + " is outside 1..65535");
        }
        return port;
    }

    private static byte[] parseLiteral(String text, String host) {
        try {
            return IpLiterals.parse(host).getAddress();
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage());
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not an endpoint: " + why);
    }

    private static boolean isV4Mapped(byte[] a, int off) {
        for (int i = 0; i < 10; i++) {
            if (a[off + i] != 0) {
                return false;
            }
        }
        return a[off + 10] == (byte) 0xff && a[off + 11] == (byte) 0xff;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public boolean matches(PacketBatch batch, int slot) {
        int len = raw.length;
        return batch.port(slot) == port
                && batch.addressLength(slot) == len
                && Arrays.equals(raw, 0, len, batch.addressBytes(slot), 0, len);
    }

    /** True for an IPv4 endpoint. */
    public boolean isIpv4() {
        return raw.length == 4;
    }

    /** True for an IPv6 link-local address, which needs an interface to be sent to. */
    boolean isLinkLocal() {
        return raw.length == 16 && SockAddr.isLinkLocal(raw, 0);
    }

    public int port() {
        return port;
    }

    /** The raw address bytes, borrowed: never change them. */
    byte[] rawAddress() {
        return raw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpEndpoint e && e.port == port && Arrays.equals(e.raw, raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw) * 31 + port;
    }

    /** {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}, as {@code wg} prints endpoints. */
    @Override
    public String toString() {
        return SockAddr.format(raw, 0, raw.length, port);
    }
}
