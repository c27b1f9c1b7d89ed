package org.cunicu4j.daemon.pdisc;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.signaling.proto.BuildInfo;
import org.cunicu4j.signaling.proto.core.IPAddress;
import org.cunicu4j.signaling.proto.pdisc.PeerAddresses;
import org.cunicu4j.signaling.proto.pdisc.PeerDescription;
import org.cunicu4j.signaling.proto.pdisc.PeerDescriptionChange;
import org.cunicu4j.wireguard.Key;

/**
 * Reads and writes {@code cunicu.pdisc.PeerDescription}. Reading validates everything a peer
 * could get wrong or abuse (key lengths, the change, names that end up in /etc/hosts, prefixes,
 * addresses, sizes) and never throws on bad input: it returns {@link Malformed} with the reason.
 * Stateless and thread-safe.
 */
final class DescriptionCodec {

    /** Most allowed IPs one member may advertise. */
    static final int MAX_ALLOWED_IPS = 256;
    /** Most host names one member may advertise. */
    static final int MAX_HOSTS = 64;
    /** Most addresses per advertised host name. */
    static final int MAX_ADDRESSES_PER_HOST = 16;
    /** Longest host name (DNS). */
    static final int MAX_NAME_LENGTH = 253;

    private DescriptionCodec() {
    }

    /** The outcome of {@link #read}. */
    sealed interface Result permits Parsed, Malformed {}

    /**
     * A valid description. {@code newKey} is null unless the description announces a key
     * change ({@code public_key_new} set and different from {@code key}); {@code peer} carries
     * the key the member has after the change.
     */
    record Parsed(PeerDescriptionChange change, Key key, Key newKey, DiscoveredPeer peer) implements Result {}

    /** An invalid description and why. */
    record Malformed(String reason) implements Result {}

    static Result read(PeerDescription d) {
        PeerDescriptionChange change = d.getChange();
        if (change == PeerDescriptionChange.UNRECOGNIZED) {
            return new Malformed("unknown change " + d.getChangeValue());
        }
        if (d.getPublicKey().size() != Key.LENGTH) {
            return new Malformed("public_key has " + d.getPublicKey().size() + " bytes, not " + Key.LENGTH);
        }
        Key key = Key.of(d.getPublicKey().toByteArray(), Key.Type.PUBLIC);
        Key newKey = null;
        if (!d.getPublicKeyNew().isEmpty()) {
            if (d.getPublicKeyNew().size() != Key.LENGTH) {
                return new Malformed("public_key_new has " + d.getPublicKeyNew().size() + " bytes, not " + Key.LENGTH);
            }
            if (change != PeerDescriptionChange.UPDATE) {
                return new Malformed("public_key_new in a " + change + " (only an UPDATE changes keys)");
            }
            Key k = Key.of(d.getPublicKeyNew().toByteArray(), Key.Type.PUBLIC);
            newKey = k.equals(key) ? null : k;
        }
        String name = d.getName();
        if (!name.isEmpty() && !isHostName(name)) {
            return new Malformed("name is not a host name");
        }
        if (d.getAllowedIpsCount() > MAX_ALLOWED_IPS) {
            return new Malformed(d.getAllowedIpsCount() + " allowed_ips, more than " + MAX_ALLOWED_IPS);
        }
        List<IpPrefix> allowed = new ArrayList<>(d.getAllowedIpsCount());
        for (String s : d.getAllowedIpsList()) {
            try {
                allowed.add(IpPrefix.parse(s));
            } catch (IllegalArgumentException e) {
                return new Malformed("allowed_ips: " + e.getMessage());
            }
        }
        if (d.getHostsCount() > MAX_HOSTS) {
            return new Malformed(d.getHostsCount() + " hosts, more than " + MAX_HOSTS);
        }
        Map<String, List<InetAddress>> hosts = new LinkedHashMap<>();
        for (Map.Entry<String, PeerAddresses> e : d.getHostsMap().entrySet()) {
            if (!isHostName(e.getKey())) {
                return new Malformed("hosts: a name is not a host name");
            }
            List<IPAddress> addrs = e.getValue().getAddressesList();
            if (addrs.size() > MAX_ADDRESSES_PER_HOST) {
                return new Malformed("hosts: " + addrs.size() + " addresses for one name, more than "
                        + MAX_ADDRESSES_PER_HOST);
            }
            List<InetAddress> list = new ArrayList<>(addrs.size());
            for (IPAddress a : addrs) {
                ByteString b = a.getAddr();
                if (b.size() != 4 && b.size() != 16) {
                    return new Malformed("hosts: an address has " + b.size() + " bytes, not 4 or 16");
                }
                list.add(address(b.toByteArray()));
            }
            hosts.put(e.getKey(), list);
        }
        Key effective = newKey != null ? newKey : key;
        return new Parsed(change, key, newKey, new DiscoveredPeer(effective, name, allowed, hosts));
    }

    /**
     * Our description: {@code peer} as we advertise ourselves; for a key change, {@code oldKey}
     * goes into {@code public_key} and {@code peer.publicKey()} into {@code public_key_new}.
     */
    static PeerDescription write(PeerDescriptionChange change, DiscoveredPeer peer, Key oldKey, BuildInfo buildInfo) {
        PeerDescription.Builder b = PeerDescription.newBuilder()
                .setChange(change)
                .setName(peer.name());
        if (oldKey != null) {
            if (change != PeerDescriptionChange.UPDATE) {
                throw new IllegalArgumentException("a key change goes in an UPDATE, not an " + change);
            }
            b.setPublicKey(ByteString.copyFrom(oldKey.bytes()));
            b.setPublicKeyNew(ByteString.copyFrom(peer.publicKey().bytes()));
        } else {
            b.setPublicKey(ByteString.copyFrom(peer.publicKey().bytes()));
        }
        for (IpPrefix p : peer.allowedIps()) {
            b.addAllowedIps(p.toString());
        }
        for (Map.Entry<String, List<InetAddress>> e : peer.hosts().entrySet()) {
            PeerAddresses.Builder pa = PeerAddresses.newBuilder();
            for (InetAddress a : e.getValue()) {
                pa.addAddresses(IPAddress.newBuilder().setAddr(ByteString.copyFrom(a.getAddress())));
            }
            b.putHosts(e.getKey(), pa.build());
        }
        if (buildInfo != null) {
            b.setBuildInfo(buildInfo);
        }
        return b.build();
    }

    /**
     * A DNS host name: dot-separated labels of letters, digits, '-' and '_', 1..63 each, none
     * starting or ending with '-', 253 in all.
     */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            return false;
        }
        int label = 0;
        char prev = '.';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (label == 0 || prev == '-') {
                    return false;
                }
                label = 0;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_') {
                if ((c == '-' && label == 0) || ++label > 63) {
                    return false;
                }
            } else {
                return false;
            }
            prev = c;
        }
        return label > 0 && prev != '-';
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are an address", e);
        }
    }
}
