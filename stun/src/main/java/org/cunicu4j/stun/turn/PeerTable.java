package org.cunicu4j.stun.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The permissions and channels of one allocation, looked up on the data path without
 * locks or allocation: both are copy-on-write arrays of raw addresses, scanned linearly
 * (an allocation has few peers). Writers synchronize on this object.
 */
final class PeerTable {

    /** A permission for one peer IP (any port). */
    record Permission(byte[] address, int length, InetAddress ip) {
        static Permission of(InetAddress ip) {
            byte[] raw = ip.getAddress();
            return new Permission(raw, raw.length, ip);
        }
    }

    /** A channel bound to one peer transport address. */
    record Channel(int number, InetSocketAddress peer, byte[] address, int length, int port) {
        static Channel of(int number, InetSocketAddress peer) {
            byte[] raw = peer.getAddress().getAddress();
            return new Channel(number, peer, raw, raw.length, peer.getPort());
        }
    }

    private volatile Permission[] permissions = new Permission[0];
    private volatile Channel[] channels = new Channel[0];
    private int nextChannel = ChannelData.MIN_CHANNEL; // guarded by this

    Permission[] permissions() {
        return permissions;
    }

    Channel[] channels() {
        return channels;
    }

    /** True when the IP {@code addr[0..len)} has a permission; allocation-free. */
    boolean permitted(byte[] addr, int len) {
        for (Permission p : permissions) {
            if (p.length() == len && Arrays.equals(p.address(), 0, len, addr, 0, len)) {
                return true;
            }
        }
        return false;
    }

    synchronized void addPermission(Permission p) {
        if (!permitted(p.address(), p.length())) {
            Permission[] next = Arrays.copyOf(permissions, permissions.length + 1);
            next[next.length - 1] = p;
            permissions = next;
        }
    }

    /** The channel bound to {@code addr[0..len)}:{@code port}, or null; allocation-free. */
    Channel channelTo(byte[] addr, int len, int port) {
        for (Channel c : channels) {
            if (c.length() == len && c.port() == port && Arrays.equals(c.address(), 0, len, addr, 0, len)) {
                return c;
            }
        }
        return null;
    }

    /** The channel with {@code number}, or null; allocation-free. */
    Channel channel(int number) {
        for (Channel c : channels) {
            if (c.number() == number) {
                return c;
            }
        }
        return null;
    }

    /** The channel bound to {@code peer}, or null. */
    Channel channel(InetSocketAddress peer) {
        for (Channel c : channels) {
            if (c.peer().equals(peer)) {
                return c;
            }
        }
        return null;
    }

    /** The next unused channel number, or -1 when all 4096 are taken. */
    synchronized int reserveChannel() {
        return nextChannel > ChannelData.MAX_CHANNEL ? -1 : nextChannel++;
    }

    /** Records a bound channel (the server confirmed it), which also permits its peer's IP. */
    synchronized void addChannel(Channel c) {
        Channel[] next = Arrays.copyOf(channels, channels.length + 1);
        next[next.length - 1] = c;
        channels = next;
        addPermission(Permission.of(c.peer().getAddress()));
    }

    /** Forgets the permission for {@code p}'s IP (it expired): the next send to it creates it again. */
    synchronized void removePermission(Permission p) {
        Permission[] all = permissions;
        for (int i = 0; i < all.length; i++) {
            if (all[i].length() == p.length() && Arrays.equals(all[i].address(), 0, p.length(), p.address(), 0,
                    p.length())) {
                Permission[] next = new Permission[all.length - 1];
                System.arraycopy(all, 0, next, 0, i);
                System.arraycopy(all, i + 1, next, i, all.length - i - 1);
                permissions = next;
                return;
            }
        }
    }

    /** Forgets the channel {@code c} (it expired): sends to its peer fall back to Send indications. */
    synchronized void removeChannel(Channel c) {
        Channel[] all = channels;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == c) {
                Channel[] next = new Channel[all.length - 1];
                System.arraycopy(all, 0, next, 0, i);
                System.arraycopy(all, i + 1, next, i, all.length - i - 1);
                channels = next;
                return;
            }
        }
    }
}
