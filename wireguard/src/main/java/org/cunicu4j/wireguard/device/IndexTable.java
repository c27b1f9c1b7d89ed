package org.cunicu4j.wireguard.device;

import java.security.SecureRandom;
import org.cunicu4j.wireguard.noise.Keypair;

/**
 * The device's local indices (the "sender"/"receiver" fields of every message): a random
 * 32-bit index per pending handshake and per keypair, mapped to its peer and, once the
 * handshake is done, its keypair. Lookups (once per received packet) read an immutable
 * open-addressing snapshot without locks or allocation; changes (once per handshake) copy it
 * under a lock.
 */
final class IndexTable {
    /** What an index stands for. {@code keypair} is null while it names a pending handshake. */
    record Entry(Peer peer, Keypair keypair) {}

    private static final class Table {
        final int[] keys;
        final Entry[] values;
        final int size;

        Table(int capacity, int size) {
            keys = new int[capacity];
            values = new Entry[capacity];
            this.size = size;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private volatile Table table = new Table(64, 0);

    /** The entry for {@code index}, or null. */
    Entry get(int index) {
        Table t = table;
        int mask = t.keys.length - 1;
        for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
            Entry e = t.values[i];
            if (e == null) {
                return null;
            }
            if (t.keys[i] == index) {
                return e;
            }
        }
    }

    /** A fresh random index for a handshake of {@code peer}. */
    synchronized int register(Peer peer) {
        while (true) {
            int idx = random.nextInt();
            if (idx != 0 && get(idx) == null) {
                put(idx, new Entry(peer, null));
                return idx;
            }
        }
    }

    /** Makes {@code index} stand for {@code keypair} (the handshake under it completed). */
    synchronized void bind(int index, Peer peer, Keypair keypair) {
        put(index, new Entry(peer, keypair));
    }

    /** Forgets {@code index} (0 is ignored). */
    synchronized void remove(int index) {
        if (index == 0 || get(index) == null) {
            return;
        }
        Table old = table;
        Table t = new Table(old.keys.length, old.size - 1);
        for (int i = 0; i < old.keys.length; i++) {
            if (old.values[i] != null && old.keys[i] != index) {
                insert(t, old.keys[i], old.values[i]);
            }
        }
        table = t;
    }

    /** Forgets every index of {@code peer}. */
    synchronized void removePeer(Peer peer) {
        Table old = table;
        int n = 0;
        for (Entry e : old.values) {
            if (e != null && e.peer() != peer) {
                n++;
            }
        }
        Table t = new Table(old.keys.length, n);
        for (int i = 0; i < old.keys.length; i++) {
            if (old.values[i] != null && old.values[i].peer() != peer) {
                insert(t, old.keys[i], old.values[i]);
            }
        }
        table = t;
    }

    synchronized int size() {
        return table.size;
    }

    private void put(int index, Entry e) {
        Table old = table;
        boolean exists = get(index) != null;
        int size = exists ? old.size : old.size + 1;
        int cap = old.keys.length;
        while (size * 2 > cap) {
            cap *= 2;
        }
        Table t = new Table(cap, size);
        for (int i = 0; i < old.keys.length; i++) {
            if (old.values[i] != null && old.keys[i] != index) {
                insert(t, old.keys[i], old.values[i]);
            }
        }
        insert(t, index, e);
        table = t;
    }

    private static void insert(Table t, int key, Entry e) {
        int mask = t.keys.length - 1;
        int i = mix(key) & mask;
        while (t.values[i] != null) {
            i = (i + 1) & mask;
        }
        t.keys[i] = key;
        t.values[i] = e;
    }

    private static int mix(int x) {
        x *= 0x9E3779B1;
        return x ^ (x >>> 16);
    }
}
