package org.cunicu4j.cli;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Locale;
import org.cunicu4j.daemon.api.DaemonEvent;
import org.cunicu4j.daemon.api.DaemonStatus;
import org.cunicu4j.daemon.api.InterfaceStatus;
import org.cunicu4j.daemon.api.PeerSessionStatus;
import org.cunicu4j.daemon.api.SelectedPair;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.proxy.ProxyMode;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;

/**
 * {@code cunicu4j status --json} and {@code monitor --json}: a stable document for scripts
 * and tests. Field names are snake_case; every field is always present (null when unknown);
 * times are ISO-8601 UTC strings; keys are base64 public keys (never a private one).
 *
 * <pre>
 * status:  {"version", "pid", "started", "interfaces": [interface...],
 *           "counters": {name: number...} (sorted; e.g. control_malformed_requests)}
 * interface: {"name", "device", "public_key", "listen_port",
 *             "proxy_mode" (bind|user|raw|nftables|iptables|null), "proxy_reason", "peers": [peer...]}
 * peer:    {"name", "public_key",
 *           "state" (idle|connecting|checking|connected|disconnected|failed|closed),
 *           "proxy_mode", "proxy_reason",
 *           "selected_pair": null | {"local": candidate, "remote": candidate, "protocol" (udp|tcp|tls)},
 *           "rtt_ms" (number|null), "rx_bytes", "tx_bytes", "last_handshake", "endpoint",
 *           "restarts", "last_error"}
 * candidate: {"type" (host|srflx|prflx|relay), "ip" (10.0.0.1, fd00::1), "port"}
 * event (monitor, one per line): {"time", "type" (peer_state_changed, ... events_dropped),
 *           "interface", "peer", "from", "to", "message"}
 * </pre>
 *
 * Stateless.
 */
final class StatusJson {
    private StatusJson() {}

    static String render(DaemonStatus s) {
        JsonWriter w = new JsonWriter().beginObject()
                .field("version", s.version())
                .field("pid", s.pid())
                .field("started", time(s.started()))
                .name("interfaces").beginArray();
        for (InterfaceStatus i : s.interfaces()) {
            writeInterface(w, i);
        }
        w.endArray().name("counters").beginObject();
        for (var c : s.counters().entrySet()) {
            w.field(c.getKey(), c.getValue());
        }
        return w.endObject().endObject().toString();
    }

    private static void writeInterface(JsonWriter w, InterfaceStatus i) {
        w.beginObject()
                .field("name", i.name())
                .field("device", i.device())
                .field("public_key", key(i.publicKey()))
                .field("listen_port", i.listenPort())
                .field("proxy_mode", mode(i.proxyMode()))
                .field("proxy_reason", i.proxyReason())
                .name("peers").beginArray();
        for (PeerSessionStatus p : i.peers()) {
            writePeer(w, p);
        }
        w.endArray().endObject();
    }

    private static void writePeer(JsonWriter w, PeerSessionStatus p) {
        w.beginObject()
                .field("name", p.name())
                .field("public_key", key(p.publicKey()))
                .field("state", p.state() == null ? null : p.state().name().toLowerCase(Locale.ROOT))
                .field("proxy_mode", mode(p.proxyMode()))
                .field("proxy_reason", p.proxyReason())
                .name("selected_pair");
        SelectedPair sp = p.selectedPair();
        if (sp == null) {
            w.value((String) null);
        } else {
            w.beginObject().name("local");
            candidate(w, sp.localType(), sp.local());
            w.name("remote");
            candidate(w, sp.remoteType(), sp.remote());
            w.field("protocol", sp.protocol()).endObject();
        }
        w.field("rtt_ms", p.rtt() == null ? null : java.math.BigDecimal.valueOf(p.rtt().toNanos(), 6)) // exact, never an exponent
                .field("rx_bytes", p.rxBytes())
                .field("tx_bytes", p.txBytes())
                .field("last_handshake", time(p.lastHandshake()))
                .field("endpoint", p.endpoint())
                .field("restarts", p.restarts())
                .field("last_error", p.lastError())
                .endObject();
    }

    private static void candidate(JsonWriter w, CandidateType type, InetSocketAddress a) {
        w.beginObject()
                .field("type", type == null ? null : type.sdpName())
                .field("ip", a == null ? null : (a.getAddress() != null ? AddressText.format(a.getAddress()) : a.getHostString()))
                .field("port", a == null ? null : a.getPort())
                .endObject();
    }

    /** One event as a single-line object. */
    static String render(DaemonEvent e) {
        return new JsonWriter().beginObject()
                .field("time", time(e.time()))
                .field("type", e.type().name().toLowerCase(Locale.ROOT))
                .field("interface", e.iface())
                .field("peer", key(e.peer()))
                .field("from", e.from())
                .field("to", e.to())
                .field("message", e.message())
                .endObject().toString();
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String mode(ProxyMode m) {
        return m == null ? null : m.configName();
    }

    /** A public key's base64; anything else is refused, so a private key can never be printed. */
    private static String key(Key k) {
        if (k == null) {
            return null;
        }
        if (k.type() != Key.Type.PUBLIC) {
            throw new IllegalArgumentException("refusing to print a " + k.type() + " key");
        }
        return k.toBase64();
    }
}
