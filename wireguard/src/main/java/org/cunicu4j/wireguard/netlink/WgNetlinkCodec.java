package org.cunicu4j.wireguard.netlink;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;

/**
 * Encodes and decodes the attributes of the kernel's WireGuard generic-netlink commands
 * (what follows the {@code genlmsghdr}): {@code WG_CMD_GET_DEVICE} requests and their
 * multipart answers, {@code WG_CMD_SET_DEVICE} requests. Byte layouts as in
 * {@code include/uapi/linux/wireguard.h}: integers in host order, endpoints as
 * {@code sockaddr_in}/{@code sockaddr_in6} (port and address in network order), nests
 * flagged {@code NLA_F_NESTED}. Stateless and thread-safe.
 */
public final class WgNetlinkCodec {
    private WgNetlinkCodec() {}

    /** Above this many bytes a set request continues in another message, as {@code wg} does (a nest holds at most 64 KiB). */
    static final int MESSAGE_BUDGET = 16 * 1024;

    /** The attributes of a {@code WG_CMD_GET_DEVICE} dump request for {@code ifname}. */
    public static byte[] getDevice(String ifname) {
        return new AttrWriter().string(WgNl.WGDEVICE_A_IFNAME, ifname).toByteArray();
    }

    /**
     * The attributes of the {@code WG_CMD_SET_DEVICE} messages that apply {@code update}:
     * one message, or more when the peers do not fit in {@link #MESSAGE_BUDGET} bytes (then
     * later messages carry only the name and further peers, and a peer cut in its allowed
     * IPs continues with its public key, {@code WGPEER_F_UPDATE_ONLY} and the rest of them).
     */
    public static List<byte[]> setDevice(String ifname, DeviceUpdate update) {
        return setDevice(ifname, update, MESSAGE_BUDGET);
    }

    static List<byte[]> setDevice(String ifname, DeviceUpdate update, int budget) {
        List<byte[]> messages = new ArrayList<>();
        AttrWriter w = new AttrWriter().string(WgNl.WGDEVICE_A_IFNAME, ifname);
        if (update.privateKey() != null) {
            w.bytes(WgNl.WGDEVICE_A_PRIVATE_KEY, update.privateKey().bytes());
        }
        if (update.listenPort() != null) {
            w.u16(WgNl.WGDEVICE_A_LISTEN_PORT, update.listenPort());
        }
        if (update.fwmark() != null) {
            w.u32(WgNl.WGDEVICE_A_FWMARK, update.fwmark());
        }
        if (update.replacePeers()) {
            w.u32(WgNl.WGDEVICE_A_FLAGS, WgNl.WGDEVICE_F_REPLACE_PEERS);
        }
        if (update.peers().isEmpty()) {
            messages.add(w.toByteArray());
            return messages;
        }
        w.begin(WgNl.WGDEVICE_A_PEERS);
        for (int i = 0; i < update.peers().size(); i++) {
            PeerUpdate p = update.peers().get(i);
            w.begin(0).bytes(WgNl.WGPEER_A_PUBLIC_KEY, p.publicKey().bytes());
            int flags = (p.remove() ? WgNl.WGPEER_F_REMOVE_ME : 0)
                    | (p.replaceAllowedIps() ? WgNl.WGPEER_F_REPLACE_ALLOWEDIPS : 0)
                    | (p.updateOnly() ? WgNl.WGPEER_F_UPDATE_ONLY : 0);
            if (flags != 0) {
                w.u32(WgNl.WGPEER_A_FLAGS, flags);
            }
            if (!p.remove()) {
                if (p.presharedKey() != null) {
                    w.bytes(WgNl.WGPEER_A_PRESHARED_KEY, p.presharedKey().bytes());
                }
                if (p.endpoint() != null) {
                    w.bytes(WgNl.WGPEER_A_ENDPOINT, sockaddr(p.endpoint()));
                }
                if (p.persistentKeepaliveSeconds() != null) {
                    w.u16(WgNl.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p.persistentKeepaliveSeconds());
                }
                if (!p.allowedIps().isEmpty()) {
                    w.begin(WgNl.WGPEER_A_ALLOWEDIPS);
                    for (IpPrefix a : p.allowedIps()) {
                        if (w.size() > budget) {
                            w.end().end().end();
                            messages.add(w.toByteArray());
                            w = new AttrWriter().string(WgNl.WGDEVICE_A_IFNAME, ifname).begin(WgNl.WGDEVICE_A_PEERS)
                                    .begin(0).bytes(WgNl.WGPEER_A_PUBLIC_KEY, p.publicKey().bytes())
                                    // adds to the peer the first message made: never re-creates it, never
                                    // replaces what the earlier messages added
                                    .u32(WgNl.WGPEER_A_FLAGS, WgNl.WGPEER_F_UPDATE_ONLY)
                                    .begin(WgNl.WGPEER_A_ALLOWEDIPS);
                        }
                        w.begin(0)
                                .u16(WgNl.WGALLOWEDIP_A_FAMILY, a.isIpv4() ? WgNl.AF_INET : WgNl.AF_INET6)
                                .bytes(WgNl.WGALLOWEDIP_A_IPADDR, a.address().getAddress())
                                .u8(WgNl.WGALLOWEDIP_A_CIDR_MASK, a.bits())
                                .end();
                    }
                    w.end();
                }
            }
            w.end();
            if (w.size() > budget && i < update.peers().size() - 1) {
                w.end();
                messages.add(w.toByteArray());
                w = new AttrWriter().string(WgNl.WGDEVICE_A_IFNAME, ifname).begin(WgNl.WGDEVICE_A_PEERS);
            }
        }
        w.end();
        messages.add(w.toByteArray());
        return messages;
    }

    /** {@code struct sockaddr_in} (16 bytes) or {@code struct sockaddr_in6} (28 bytes). */
    static byte[] sockaddr(InetSocketAddress endpoint) {
        InetAddress a = endpoint.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("endpoint " + endpoint + " is unresolved");
        }
        boolean v4 = a instanceof Inet4Address;
        ByteBuffer b = ByteBuffer.allocate(v4 ? 16 : 28).order(ByteOrder.nativeOrder());
        b.putShort((short) (v4 ? WgNl.AF_INET : WgNl.AF_INET6));
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) endpoint.getPort()).order(ByteOrder.nativeOrder());
        if (v4) {
            b.put(a.getAddress());
        } else {
            b.putInt(0); // flowinfo
            b.put(a.getAddress());
            b.putInt(((Inet6Address) a).getScopeId());
        }
        return b.array();
    }

    /**
     * Merges the attributes of the messages of one {@code WG_CMD_GET_DEVICE} dump: the device
     * attributes repeat in each, and a peer whose allowed IPs did not fit continues in the
     * next message under the same public key.
     *
     * @throws IOException naming the attribute of a malformed answer
     */
    public static DeviceStatus parseDevice(List<byte[]> messages) throws IOException {
        Key privateKey = null;
        int listenPort = 0;
        int fwmark = 0;
        List<PeerBuilder> peers = new ArrayList<>();
        int index = 0;
        for (byte[] message : messages) {
            AttrReader r = new AttrReader(message, "message " + index++);
            while (r.next()) {
                switch (r.type()) {
                    case WgNl.WGDEVICE_A_PRIVATE_KEY -> {
                        Key k = Key.of(r.bytes(Key.LENGTH, "WGDEVICE_A_PRIVATE_KEY"), Key.Type.PRIVATE);
                        privateKey = isZero(k) ? null : k;
                    }
                    case WgNl.WGDEVICE_A_LISTEN_PORT -> listenPort = r.u16("WGDEVICE_A_LISTEN_PORT");
                    case WgNl.WGDEVICE_A_FWMARK -> fwmark = r.u32("WGDEVICE_A_FWMARK");
                    case WgNl.WGDEVICE_A_PEERS -> {
                        AttrReader list = r.nested("WGDEVICE_A_PEERS");
                        while (list.next()) {
                            PeerBuilder p = parsePeer(list.nested("peer"));
                            PeerBuilder last = peers.isEmpty() ? null : peers.getLast();
                            if (last != null && last.publicKey.equals(p.publicKey)) {
                                last.allowedIps.addAll(p.allowedIps);
                            } else {
                                peers.add(p);
                            }
                        }
                    }
                    default -> { } // ifindex, ifname, public key (derived), newer attributes
                }
            }
        }
        List<PeerStatus> list = new ArrayList<>(peers.size());
        for (PeerBuilder p : peers) {
            list.add(p.build());
        }
        return new DeviceStatus(privateKey, listenPort, fwmark, list);
    }

    private static PeerBuilder parsePeer(AttrReader r) throws IOException {
        PeerBuilder p = new PeerBuilder();
        while (r.next()) {
            switch (r.type()) {
                case WgNl.WGPEER_A_PUBLIC_KEY -> p.publicKey = Key.of(r.bytes(Key.LENGTH, "WGPEER_A_PUBLIC_KEY"), Key.Type.PUBLIC);
                case WgNl.WGPEER_A_PRESHARED_KEY -> {
                    Key k = Key.of(r.bytes(Key.LENGTH, "WGPEER_A_PRESHARED_KEY"), Key.Type.PRESHARED);
                    p.presharedKey = isZero(k) ? null : k;
                }
                case WgNl.WGPEER_A_ENDPOINT -> p.endpoint = endpoint(r);
                case WgNl.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL -> p.keepalive = r.u16("WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL");
                case WgNl.WGPEER_A_LAST_HANDSHAKE_TIME -> {
                    if (r.length() != 16) {
                        throw r.malformed("WGPEER_A_LAST_HANDSHAKE_TIME of " + r.length() + " bytes, expected 16");
                    }
                    long sec = r.s64At(0);
                    long nsec = r.s64At(8);
                    if (sec < 0 || nsec < 0 || nsec > 999_999_999 || sec > Instant.MAX.getEpochSecond()) {
                        throw r.malformed("WGPEER_A_LAST_HANDSHAKE_TIME " + sec + "." + nsec + " is out of range");
                    }
                    p.handshake = sec == 0 && nsec == 0 ? null : Instant.ofEpochSecond(sec, nsec);
                }
                case WgNl.WGPEER_A_RX_BYTES -> p.rx = r.u64("WGPEER_A_RX_BYTES");
                case WgNl.WGPEER_A_TX_BYTES -> p.tx = r.u64("WGPEER_A_TX_BYTES");
                case WgNl.WGPEER_A_PROTOCOL_VERSION -> p.protocolVersion = r.u32("WGPEER_A_PROTOCOL_VERSION");
                case WgNl.WGPEER_A_ALLOWEDIPS -> {
                    AttrReader list = r.nested("WGPEER_A_ALLOWEDIPS");
                    while (list.next()) {
                        p.allowedIps.add(allowedIp(list.nested("allowed ip")));
                    }
                }
                default -> { } // flags (set only), padding (type 0), newer attributes
            }
        }
        if (p.publicKey == null) {
            throw r.malformed("a peer without WGPEER_A_PUBLIC_KEY");
        }
        return p;
    }

    private static IpPrefix allowedIp(AttrReader r) throws IOException {
        int family = -1;
        byte[] addr = null;
        int cidr = -1;
        while (r.next()) {
            switch (r.type()) {
                case WgNl.WGALLOWEDIP_A_FAMILY -> family = r.u16("WGALLOWEDIP_A_FAMILY");
                case WgNl.WGALLOWEDIP_A_IPADDR -> addr = r.bytes();
                case WgNl.WGALLOWEDIP_A_CIDR_MASK -> cidr = r.u8("WGALLOWEDIP_A_CIDR_MASK");
                default -> { }
            }
        }
        int len = family == WgNl.AF_INET ? 4 : family == WgNl.AF_INET6 ? 16 : -1;
        if (len < 0 || addr == null || addr.length != len || cidr < 0 || cidr > len * 8) {
            throw r.malformed("an allowed IP with family " + family + ", " + (addr == null ? "no" : addr.length + " bytes of")
                    + " address, mask " + cidr);
        }
        return new IpPrefix(address(addr), cidr);
    }

    private static InetSocketAddress endpoint(AttrReader r) throws IOException {
        byte[] b = r.bytes();
        if (b.length < 2) {
            throw r.malformed("WGPEER_A_ENDPOINT of " + b.length + " bytes");
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        int family = Short.toUnsignedInt(buf.getShort(0));
        if (family == WgNl.AF_INET && b.length >= 16) {
            int port = Short.toUnsignedInt(buf.order(ByteOrder.BIG_ENDIAN).getShort(2));
            return new InetSocketAddress(address(java.util.Arrays.copyOfRange(b, 4, 8)), port);
        }
        if (family == WgNl.AF_INET6 && b.length >= 28) {
            int port = Short.toUnsignedInt(buf.order(ByteOrder.BIG_ENDIAN).getShort(2));
            int scope = buf.order(ByteOrder.nativeOrder()).getInt(24);
            try {
                byte[] a = java.util.Arrays.copyOfRange(b, 8, 24);
                InetAddress addr = scope == 0 ? AddressText.ipv6(a) : Inet6Address.getByAddress(null, a, scope);
                return new InetSocketAddress(addr, port);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        throw r.malformed("WGPEER_A_ENDPOINT of family " + family + " and " + b.length + " bytes");
    }

    /** 4 bytes: IPv4; 16 bytes: IPv6, also when IPv4-mapped (getByAddress would make that IPv4). */
    private static InetAddress address(byte[] b) {
        if (b.length == 16) {
            return AddressText.ipv6(b);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isZero(Key k) {
        int acc = 0;
        for (byte x : k.bytes()) {
            acc |= x;
        }
        return acc == 0;
    }

    private static final class PeerBuilder {
        Key publicKey;
        Key presharedKey;
        InetSocketAddress endpoint;
        int keepalive;
        Instant handshake;
        long rx;
        long tx;
        int protocolVersion;
        final List<IpPrefix> allowedIps = new ArrayList<>();

        PeerStatus build() {
            return new PeerStatus(publicKey, presharedKey, endpoint, keepalive, allowedIps, handshake, rx, tx, protocolVersion);
        }
    }
}
