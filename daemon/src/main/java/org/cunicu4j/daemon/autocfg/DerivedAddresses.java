package org.cunicu4j.daemon.autocfg;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.crypto.macs.SipHash128;
import org.bouncycastle.crypto.params.KeyParameter;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;

/**
 * The addresses cunīcu derives from a WireGuard public key, one per prefix: h =
 * SipHash-2-4 with 128-bit output (the reference byte order: the two 64-bit halves, each
 * little-endian) under the key {@code 67672c05d13e1194bb3891ff4f80b397}, over the 32 key
 * bytes; the first (address bits / 8) bytes of h, read as a big-endian integer, shifted
 * right by the prefix length and ORed with the prefix (its host bits cleared). The same
 * function gives our interface address and every peer's, so nodes of cunīcu and cunicu4j
 * agree on them.
 *
 * <p>Stateless and thread-safe.
 */
public final class DerivedAddresses {
    /** cunīcu's default {@code prefixes}: {@code fc2f:9a4d::/32} and {@code 10.237.0.0/16}. */
    public static final List<IpPrefix> DEFAULT_PREFIXES =
            List.of(IpPrefix.parse("fc2f:9a4d::/32"), IpPrefix.parse("10.237.0.0/16"));

    private static final byte[] HASH_KEY = HexFormat.of().parseHex("67672c05d13e1194bb3891ff4f80b397");

    private DerivedAddresses() {}

    /** The 16-byte SipHash-2-4-128 of {@code publicKey} under cunīcu's address key. */
    public static byte[] hash(Key publicKey) {
        requirePublic(publicKey);
        SipHash128 mac = new SipHash128(2, 4);
        mac.init(new KeyParameter(HASH_KEY));
        byte[] k = publicKey.bytes();
        mac.update(k, 0, k.length);
        byte[] out = new byte[16];
        mac.doFinal(out, 0);
        return out;
    }

    /**
     * The address of {@code publicKey} in {@code prefix}, with the prefix's length
     * ({@code fc2f:9a4d:777f:7a97:8197:4a5d:1d1b:ed79/32}): what goes on the interface.
     */
    public static IpPrefix address(Key publicKey, IpPrefix prefix) {
        return derive(hash(publicKey), prefix);
    }

    /** {@link #address} for each of {@code prefixes}, in their order. */
    public static List<IpPrefix> addresses(Key publicKey, List<IpPrefix> prefixes) {
        byte[] h = hash(publicKey);
        List<IpPrefix> out = new ArrayList<>(prefixes.size());
        for (IpPrefix p : prefixes) {
            out.add(derive(h, p));
        }
        return List.copyOf(out);
    }

    /**
     * The derived addresses of {@code publicKey} as host prefixes ({@code /128}, {@code /32}):
     * what goes into that peer's allowed IPs.
     */
    public static List<IpPrefix> hostPrefixes(Key publicKey, List<IpPrefix> prefixes) {
        List<IpPrefix> out = new ArrayList<>(prefixes.size());
        for (IpPrefix a : addresses(publicKey, prefixes)) {
            out.add(new IpPrefix(a.address(), a.isIpv4() ? 32 : 128));
        }
        return List.copyOf(out);
    }

    private static IpPrefix derive(byte[] h, IpPrefix prefix) {
        Objects.requireNonNull(prefix, "prefix");
        byte[] net = prefix.masked().address().getAddress();
        int n = net.length; // 4 or 16: address bits / 8
        BigInteger d = new BigInteger(1, Arrays.copyOf(h, n)).shiftRight(prefix.bits());
        BigInteger result = d.or(new BigInteger(1, net));
        byte[] raw = result.toByteArray(); // big-endian, possibly with a sign byte or fewer bytes
        byte[] addr = new byte[n];
        int copy = Math.min(n, raw.length);
        System.arraycopy(raw, raw.length - copy, addr, n - copy, copy);
        try {
            // Inet6Address for 16 bytes even when they look IPv4-mapped: the family stays the prefix's
            InetAddress a = n == 4 ? InetAddress.getByAddress(addr) : Inet6Address.getByAddress(null, addr, -1);
            return new IpPrefix(a, prefix.bits());
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes
        }
    }

    private static void requirePublic(Key key) {
        Objects.requireNonNull(key, "publicKey");
        if (key.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("addresses derive from a public key, got a " + key.type() + " key");
        }
    }
}
