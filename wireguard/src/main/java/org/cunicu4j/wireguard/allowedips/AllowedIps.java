package org.cunicu4j.wireguard.allowedips;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.cunicu4j.net.IpPrefix;

/**
 * A longest-prefix-match table from IP prefixes to owners (a WireGuard device's peers):
 * routing out ({@code lookup(destination)}) and the source check in ({@code lookup(source) == peer}).
 * IPv4 and IPv6 are two independent tries.
 *
 * <p>Each trie is path-compressed and made of immutable nodes: a node holds a masked
 * prefix, its owner (or none, for a branch point) and two children chosen by the first bit
 * after the prefix. A change copies the nodes on the path it touches and publishes the new
 * root through a volatile field, so a lookup reads one root and walks immutable nodes.
 *
 * <p>Threading: lookups are lock-free, allocation-free and may run on any number of data
 * threads at once; changes ({@link #insert}, {@link #remove}, {@link #removeValue},
 * {@link #clear}) are serialised on this object and are meant for the control path. A
 * lookup concurrent with a change sees the table either before or after it.
 *
 * @param <T> the owner type (compared with {@code equals}); never null
 */
public final class AllowedIps<T> {

    private volatile Node<T> root4;
    private volatile Node<T> root6;
    private volatile int size;

    /**
     * Makes {@code value} the owner of {@code prefix} (its host bits ignored), replacing
     * any previous owner of exactly that prefix.
     */
    public synchronized void insert(IpPrefix prefix, T value) {
        Objects.requireNonNull(value, "value");
        Key k = Key.of(prefix);
        Node<T> root = root(k.v4);
        if (find(root, k.hi, k.lo, k.bits) == null) {
            size++;
        }
        setRoot(k.v4, insert(root, k.hi, k.lo, k.bits, value));
    }

    /**
     * Removes {@code prefix} (its host bits ignored) if {@code value} owns it.
     *
     * @return true when it was removed
     */
    public synchronized boolean remove(IpPrefix prefix, T value) {
        Key k = Key.of(prefix);
        Node<T> root = root(k.v4);
        Node<T> exact = find(root, k.hi, k.lo, k.bits);
        if (exact == null || !exact.value.equals(value)) {
            return false;
        }
        setRoot(k.v4, remove(root, k.hi, k.lo, k.bits));
        size--;
        return true;
    }

    /** Removes every prefix {@code value} owns. */
    public synchronized void removeValue(T value) {
        int[] removed = new int[1];
        root4 = removeAll(root4, value, removed);
        root6 = removeAll(root6, value, removed);
        size -= removed[0];
    }

    /**
     * The prefixes {@code value} owns, masked: IPv4 before IPv6, each family in address
     * order with a shorter prefix before the longer ones inside it.
     */
    public List<IpPrefix> prefixesOf(T value) {
        List<IpPrefix> out = new ArrayList<>();
        collect(root4, value, true, out);
        collect(root6, value, false, out);
        return out;
    }

    /**
     * The owner of the longest prefix containing the address at absolute {@code offset}
     * of {@code buf} ({@code length} 4 for IPv4, 16 for IPv6), or null. Reads the bytes in
     * network order whatever the buffer's byte order; does not move the buffer's position
     * and does not allocate.
     *
     * @throws IllegalArgumentException when {@code length} is neither 4 nor 16
     */
    public T lookup(ByteBuffer buf, int offset, int length) {
        boolean swap = buf.order() == ByteOrder.LITTLE_ENDIAN;
        if (length == 4) {
            int a = buf.getInt(offset);
            long hi = (long) (swap ? Integer.reverseBytes(a) : a) << 32;
            return lookup(root4, hi, 0);
        }
        if (length == 16) {
            long hi = buf.getLong(offset);
            long lo = buf.getLong(offset + 8);
            if (swap) {
                hi = Long.reverseBytes(hi);
                lo = Long.reverseBytes(lo);
            }
            return lookup(root6, hi, lo);
        }
        throw new IllegalArgumentException("an address is 4 (IPv4) or 16 (IPv6) bytes long, not " + length);
    }

    /** The owner of the longest prefix containing {@code address}, or null. */
    public T lookup(InetAddress address) {
        byte[] b = address.getAddress();
        return lookup(ByteBuffer.wrap(b), 0, b.length);
    }

    /** Removes every prefix. */
    public synchronized void clear() {
        root4 = null;
        root6 = null;
        size = 0;
    }

    /** The number of prefixes with an owner. */
    public int size() {
        return size;
    }

    // ---- the trie ----

    private Node<T> root(boolean v4) {
        return v4 ? root4 : root6;
    }

    private void setRoot(boolean v4, Node<T> root) {
        if (v4) {
            root4 = root;
        } else {
            root6 = root;
        }
    }

    private static <T> T lookup(Node<T> n, long hi, long lo) {
        T best = null;
        while (n != null && ((hi ^ n.hi) & n.maskHi) == 0 && ((lo ^ n.lo) & n.maskLo) == 0) {
            if (n.value != null) {
                best = n.value;
            }
            n = bit(hi, lo, n.bits) == 0 ? n.zero : n.one;
        }
        return best;
    }

    /** The node holding exactly this prefix with an owner, or null. */
    private static <T> Node<T> find(Node<T> n, long hi, long lo, int bits) {
        while (n != null && n.bits <= bits && common(n.hi, n.lo, hi, lo, n.bits) == n.bits) {
            if (n.bits == bits) {
                return n.value == null ? null : n;
            }
            n = bit(hi, lo, n.bits) == 0 ? n.zero : n.one;
        }
        return null;
    }

    private static <T> Node<T> insert(Node<T> n, long hi, long lo, int bits, T value) {
        if (n == null) {
            return new Node<>(hi, lo, bits, value, null, null);
        }
        int common = common(n.hi, n.lo, hi, lo, Math.min(n.bits, bits));
        if (common == n.bits) {
            if (bits == n.bits) {
                return new Node<>(n.hi, n.lo, n.bits, value, n.zero, n.one);
            }
            return bit(hi, lo, n.bits) == 0
                    ? new Node<>(n.hi, n.lo, n.bits, n.value, insert(n.zero, hi, lo, bits, value), n.one)
                    : new Node<>(n.hi, n.lo, n.bits, n.value, n.zero, insert(n.one, hi, lo, bits, value));
        }
        if (common == bits) { // the new prefix contains n
            return bit(n.hi, n.lo, bits) == 0
                    ? new Node<>(hi, lo, bits, value, n, null)
                    : new Node<>(hi, lo, bits, value, null, n);
        }
        // n and the new prefix part after `common` bits: a branch point without an owner
        Node<T> leaf = new Node<>(hi, lo, bits, value, null, null);
        long bh = hi & maskHi(common);
        long bl = lo & maskLo(common);
        return bit(hi, lo, common) == 0
                ? new Node<>(bh, bl, common, null, leaf, n)
                : new Node<>(bh, bl, common, null, n, leaf);
    }

    /** Removes the owner of the exact prefix, which must exist below n. */
    private static <T> Node<T> remove(Node<T> n, long hi, long lo, int bits) {
        if (n.bits == bits) {
            return make(n, null, n.zero, n.one);
        }
        return bit(hi, lo, n.bits) == 0
                ? make(n, n.value, remove(n.zero, hi, lo, bits), n.one)
                : make(n, n.value, n.zero, remove(n.one, hi, lo, bits));
    }

    private static <T> Node<T> removeAll(Node<T> n, T value, int[] removed) {
        if (n == null) {
            return null;
        }
        Node<T> zero = removeAll(n.zero, value, removed);
        Node<T> one = removeAll(n.one, value, removed);
        T v = n.value;
        if (v != null && v.equals(value)) {
            v = null;
            removed[0]++;
        }
        if (v == n.value && zero == n.zero && one == n.one) {
            return n; // untouched: share it
        }
        return make(n, v, zero, one);
    }

    /** A node like n with these parts; a branch point left with fewer than two children collapses. */
    private static <T> Node<T> make(Node<T> n, T value, Node<T> zero, Node<T> one) {
        if (value == null) {
            if (zero == null) {
                return one;
            }
            if (one == null) {
                return zero;
            }
        }
        return new Node<>(n.hi, n.lo, n.bits, value, zero, one);
    }

    private static <T> void collect(Node<T> n, T value, boolean v4, List<IpPrefix> out) {
        if (n == null) {
            return;
        }
        if (n.value != null && n.value.equals(value)) {
            out.add(n.prefix(v4));
        }
        collect(n.zero, value, v4, out);
        collect(n.one, value, v4, out);
    }

    // ---- 128-bit keys as two longs (IPv4 in the top 32 bits of hi) ----

    private static int bit(long hi, long lo, int i) {
        return (int) (i < 64 ? (hi >>> (63 - i)) & 1 : (lo >>> (127 - i)) & 1);
    }

    /** The length of the common prefix of two keys, at most {@code limit}. */
    private static int common(long h1, long l1, long h2, long l2, int limit) {
        long x = h1 ^ h2;
        int n = x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(l1 ^ l2);
        return Math.min(n, limit);
    }

    static long maskHi(int bits) {
        return bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
    }

    static long maskLo(int bits) {
        return bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
    }

    private record Key(boolean v4, long hi, long lo, int bits) {
        static Key of(IpPrefix prefix) {
            byte[] b = prefix.address().getAddress();
            ByteBuffer bb = ByteBuffer.wrap(b);
            boolean v4 = b.length == 4;
            long hi = v4 ? (long) bb.getInt(0) << 32 : bb.getLong(0);
            long lo = v4 ? 0 : bb.getLong(8);
            int bits = prefix.bits();
            return new Key(v4, hi & maskHi(bits), lo & maskLo(bits), bits);
        }
    }

    /** Immutable: a masked prefix, its owner or null, and the children by the next bit. */
    private static final class Node<T> {
        final long hi;
        final long lo;
        final long maskHi;
        final long maskLo;
        final int bits;
        final T value;
        final Node<T> zero;
        final Node<T> one;

        Node(long hi, long lo, int bits, T value, Node<T> zero, Node<T> one) {
            this.hi = hi;
            this.lo = lo;
            this.bits = bits;
            this.maskHi = AllowedIps.maskHi(bits);
            this.maskLo = AllowedIps.maskLo(bits);
            this.value = value;
            this.zero = zero;
            this.one = one;
        }

        IpPrefix prefix(boolean v4) {
            ByteBuffer b = ByteBuffer.allocate(v4 ? 4 : 16);
            if (v4) {
                b.putInt((int) (hi >>> 32));
            } else {
                b.putLong(hi).putLong(lo);
            }
            try {
                return new IpPrefix(InetAddress.getByAddress(b.array()), bits);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public String toString() {
        return "AllowedIps[" + size + " prefixes]";
    }
}
