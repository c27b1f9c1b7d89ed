package org.cunicu4j.daemon.control;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cunicu4j.daemon.api.ConnectionState;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.api.SelectedPair;
import org.cunicu4j.daemon.control.proto.Address;
import org.cunicu4j.daemon.control.proto.Event;
import org.cunicu4j.daemon.control.proto.Interface;
import org.cunicu4j.daemon.control.proto.Pair;
import org.cunicu4j.daemon.control.proto.Peer;
import org.cunicu4j.daemon.control.proto.Status;
import org.cunicu4j.daemon.control.proto.Time;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;

/**
 * Converts the {@code org.cunicu4j.daemon.api} values to and from their protobuf messages.
 * Only public keys cross (the API has no private ones). Decoding throws
 * {@link IllegalArgumentException} naming the field at fault. Stateless.
 */
final class ControlCodec {
    private ControlCodec() {}

    // ---- status

    static Status encode(DaemonStatus s) {
        Status.Builder b = Status.newBuilder().setVersion(nz(s.version())).setPid(s.pid());
        if (s.started() != null) {
            b.setStarted(time(s.started()));
        }
        for (InterfaceStatus i : s.interfaces()) {
            b.addInterfaces(encode(i));
        }
        b.putAllCounters(s.counters());
        return b.build();
    }

    private static Interface encode(InterfaceStatus i) {
        Interface.Builder b = Interface.newBuilder().setName(nz(i.name())).setDevice(nz(i.device()))
                .setListenPort(i.listenPort());
        if (i.publicKey() != null) {
            b.setPublicKey(publicKey(i.publicKey()));
        }
        if (i.proxyMode() != null) {
            b.setProxyMode(i.proxyMode().name());
        }
        if (i.proxyReason() != null) {
            b.setProxyReason(i.proxyReason());
        }
        for (PeerSessionStatus p : i.peers()) {
            b.addPeers(encode(p));
        }
        return b.build();
    }

    private static Peer encode(PeerSessionStatus p) {
        Peer.Builder b = Peer.newBuilder().setPublicKey(publicKey(p.publicKey()))
                .setState(p.state() == null ? "" : p.state().name())
                .setRxBytes(p.rxBytes()).setTxBytes(p.txBytes()).setRestarts(p.restarts());
        if (p.name() != null) {
            b.setName(p.name());
        }
        if (p.proxyMode() != null) {
            b.setProxyMode(p.proxyMode().name());
        }
        if (p.proxyReason() != null) {
            b.setProxyReason(p.proxyReason());
        }
        if (p.selectedPair() != null) {
            b.setSelectedPair(encode(p.selectedPair()));
        }
        if (p.rtt() != null) {
            b.setRttNanos(p.rtt().toNanos());
        }
        if (p.lastHandshake() != null) {
            b.setLastHandshake(time(p.lastHandshake()));
        }
        if (p.endpoint() != null) {
            b.setEndpoint(p.endpoint());
        }
        if (p.lastError() != null) {
            b.setLastError(p.lastError());
        }
        return b.build();
    }

    private static Pair encode(SelectedPair p) {
        Pair.Builder b = Pair.newBuilder().setProtocol(nz(p.protocol()));
        if (p.localType() != null) {
            b.setLocalType(p.localType().name());
        }
        if (p.remoteType() != null) {
            b.setRemoteType(p.remoteType().name());
        }
        if (p.local() != null) {
            b.setLocal(address(p.local()));
        }
        if (p.remote() != null) {
            b.setRemote(address(p.remote()));
        }
        return b.build();
    }

    static DaemonStatus decode(Status s) {
        List<InterfaceStatus> ifaces = new ArrayList<>(s.getInterfacesCount());
        for (Interface i : s.getInterfacesList()) {
            ifaces.add(decode(i));
        }
        return new DaemonStatus(s.getVersion(), s.getPid(), s.hasStarted() ? instant(s.getStarted()) : null, ifaces,
                s.getCountersMap());
    }

    private static InterfaceStatus decode(Interface i) {
        List<PeerSessionStatus> peers = new ArrayList<>(i.getPeersCount());
        for (Peer p : i.getPeersList()) {
            peers.add(decode(p));
        }
        return new InterfaceStatus(i.getName(), i.getDevice(),
                i.getPublicKey().isEmpty() ? null : publicKey(i.getPublicKey(), "interface " + i.getName() + " public_key"),
                i.getListenPort(), i.hasProxyMode() ? proxyMode(i.getProxyMode()) : null,
                i.hasProxyReason() ? i.getProxyReason() : null, peers);
    }

    private static PeerSessionStatus decode(Peer p) {
        return new PeerSessionStatus(p.hasName() ? p.getName() : null,
                publicKey(p.getPublicKey(), "peer public_key"),
                p.getState().isEmpty() ? null : enumValue(ConnectionState.class, p.getState(), "peer state"),
                p.hasProxyMode() ? proxyMode(p.getProxyMode()) : null,
                p.hasProxyReason() ? p.getProxyReason() : null,
                p.hasSelectedPair() ? decode(p.getSelectedPair()) : null,
                p.hasRttNanos() ? Duration.ofNanos(p.getRttNanos()) : null,
                p.getRxBytes(), p.getTxBytes(),
                p.hasLastHandshake() ? instant(p.getLastHandshake()) : null,
                p.hasEndpoint() ? p.getEndpoint() : null,
                p.getRestarts(),
                p.hasLastError() ? p.getLastError() : null);
    }

    private static SelectedPair decode(Pair p) {
        return new SelectedPair(
                p.getLocalType().isEmpty() ? null : enumValue(CandidateType.class, p.getLocalType(), "pair local_type"),
                p.hasLocal() ? address(p.getLocal(), "pair local") : null,
                p.getRemoteType().isEmpty() ? null : enumValue(CandidateType.class, p.getRemoteType(), "pair remote_type"),
                p.hasRemote() ? address(p.getRemote(), "pair remote") : null,
                p.getProtocol());
    }

    // ---- events

    static Event encode(DaemonEvent e) {
        Event.Builder b = Event.newBuilder().setType(e.type().name());
        if (e.time() != null) {
            b.setTime(time(e.time()));
        }
        if (e.iface() != null) {
            b.setIface(e.iface());
        }
        if (e.peer() != null) {
            b.setPeer(publicKey(e.peer()));
        }
        if (e.from() != null) {
            b.setFrom(e.from());
        }
        if (e.to() != null) {
            b.setTo(e.to());
        }
        if (e.message() != null) {
            b.setMessage(e.message());
        }
        return b.build();
    }

    static DaemonEvent decode(Event e) {
        return new DaemonEvent(e.hasTime() ? instant(e.getTime()) : null,
                enumValue(DaemonEvent.Type.class, e.getType(), "event type"),
                e.hasIface() ? e.getIface() : null,
                e.getPeer().isEmpty() ? null : publicKey(e.getPeer(), "event peer"),
                e.hasFrom() ? e.getFrom() : null,
                e.hasTo() ? e.getTo() : null,
                e.hasMessage() ? e.getMessage() : null);
    }

    // ---- pieces

    /** The bytes of a public key; any other key type is refused (never sent). */
    static ByteString publicKey(Key k) {
        if (k.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("only public keys cross the control socket, got a " + k.type() + " key");
        }
        return ByteString.copyFrom(k.bytes());
    }

    static Key publicKey(ByteString b, String field) {
        if (b.size() != Key.LENGTH) {
            throw new IllegalArgumentException(field + ": a key must be " + Key.LENGTH + " bytes, got " + b.size());
        }
        return Key.of(b.toByteArray(), Key.Type.PUBLIC);
    }

    private static Time time(Instant t) {
        return Time.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static Instant instant(Time t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static Address address(InetSocketAddress a) {
        String ip = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return Address.newBuilder().setIp(ip).setPort(a.getPort()).build();
    }

    private static InetSocketAddress address(Address a, String field) {
        InetAddress ip;
        try {
            ip = InetAddress.ofLiteral(a.getIp());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": '" + a.getIp() + "' is not an IP address literal");
        }
        if (a.getPort() < 0 || a.getPort() > 65535) {
            throw new IllegalArgumentException(field + ": port " + a.getPort() + " is out of range");
        }
        return new InetSocketAddress(ip, a.getPort());
    }

    private static ProxyMode proxyMode(String name) {
        return enumValue(ProxyMode.class, name, "proxy_mode");
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String field) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": '" + name + "' is not a " + type.getSimpleName()
                    + " this client knows (a newer daemon?)");
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
