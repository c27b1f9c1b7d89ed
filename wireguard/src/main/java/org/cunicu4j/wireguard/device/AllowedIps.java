package org.cunicu4j.wireguard.device;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.net.IpPrefix;

/**
 * A throwaway stand-in for {@code org.cunicu4j.wireguard.allowedips.AllowedIps} (helper
 * wg-io's trie) with the same API: a copy-on-write list scanned for the longest match. To be
 * replaced by the real trie when it is merged.
 */
final class AllowedIps<T> {
    private record Entry<T>(byte[] addr, int bits, IpPrefix prefix, T value) {}

    private volatile List<Entry<T>> entries = List.of();

    synchronized void insert(IpPrefix prefix, T value) {
        List<Entry<T>> n = new ArrayList<>();
        IpPrefix m = prefix.masked();
        for (Entry<T> e : entries) {
            if (!e.prefix.masked().equals(m)) {
                n.add(e);
            }
        }
        n.add(new Entry<>(m.address().getAddress(), prefix.bits(), prefix, value));
        entries = List.copyOf(n);
    }

    synchronized boolean remove(IpPrefix prefix, T value) {
        List<Entry<T>> n = new ArrayList<>(entries);
        boolean r = n.removeIf(e -> e.value == value && e.prefix.masked().equals(prefix.masked()));
        entries = List.copyOf(n);
        return r;
    }

    synchronized void removeValue(T value) {
        List<Entry<T>> n = new ArrayList<>(entries);
        n.removeIf(e -> e.value == value);
        entries = List.copyOf(n);
    }

    List<IpPrefix> prefixesOf(T value) {
        List<IpPrefix> out = new ArrayList<>();
        for (Entry<T> e : entries) {
            if (e.value == value) {
                out.add(e.prefix.masked());
            }
        }
        return out;
    }

    T lookup(ByteBuffer buf, int offset, int length) {
        List<Entry<T>> es = entries;
        T best = null;
        int bestBits = -1;
        for (int k = 0; k < es.size(); k++) {
            Entry<T> e = es.get(k);
            if (e.addr.length != length || e.bits <= bestBits) {
                continue;
            }
            if (matches(e, buf, offset)) {
                best = e.value;
                bestBits = e.bits;
            }
        }
        return best;
    }

    private static boolean matches(Entry<?> e, ByteBuffer buf, int offset) {
        int bits = e.bits;
        for (int i = 0; bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((buf.get(offset + i) ^ e.addr[i]) & mask) != 0) {
                return false;
            }
        }
        return true;
    }

    T lookup(InetAddress address) {
        byte[] a = address.getAddress();
        return lookup(ByteBuffer.wrap(a), 0, a.length);
    }
}
