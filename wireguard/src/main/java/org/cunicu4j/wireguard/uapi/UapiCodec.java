package org.cunicu4j.wireguard.uapi;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cunicu4j.net.IpPrefix;
import org.cunicu4j.wireguard.Key;
import org.cunicu4j.wireguard.control.AddressText;
import org.cunicu4j.wireguard.control.DeviceStatus;
import org.cunicu4j.wireguard.control.DeviceUpdate;
import org.cunicu4j.wireguard.control.PeerStatus;
import org.cunicu4j.wireguard.control.PeerUpdate;

/**
 * The text codec of the cross-platform configuration protocol: {@code key=value} lines,
 * keys as 64 lower-case hex digits. {@link #formatStatus}/{@link #parseStatus} are the
 * two sides of a {@code get=1} answer, {@link #formatUpdate}/{@link #parseUpdate} the two
 * sides of a {@code set=1} request. Lines here exclude the operation line, the
 * {@code errno=} line and the empty line that ends a message.
 *
 * <p>Parsing is of untrusted text: every error is a {@link UapiException} naming the line
 * number and the key, never echoing a secret key's value. Stateless and thread-safe.
 */
public final class UapiCodec {
    private UapiCodec() {}

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] ZERO_KEY = new byte[Key.LENGTH];

    /** The most peers one {@code set=1} request may name (more than a 1 MiB request of real peers holds). */
    public static final int MAX_PEERS_PER_REQUEST = 16_384;

    /** The lines of a {@code get=1} answer for {@code status}, each ending in {@code \n}, as wireguard-go orders them. */
    public static String formatStatus(DeviceStatus status) {
        StringBuilder sb = new StringBuilder(256 + 256 * status.peers().size());
        if (status.privateKey() != null) {
            line(sb, "private_key", hex(status.privateKey()));
        }
        if (status.listenPort() != 0) {
            line(sb, "listen_port", Integer.toString(status.listenPort()));
        }
        if (status.fwmark() != 0) {
            line(sb, "fwmark", Integer.toUnsignedString(status.fwmark()));
        }
        for (PeerStatus p : status.peers()) {
            line(sb, "public_key", hex(p.publicKey()));
            line(sb, "preshared_key", p.presharedKey() == null ? HEX.formatHex(ZERO_KEY) : hex(p.presharedKey()));
            line(sb, "protocol_version", Integer.toString(p.protocolVersion() == 0 ? 1 : p.protocolVersion()));
            if (p.endpoint() != null) {
                line(sb, "endpoint", AddressText.format(p.endpoint()));
            }
            Instant hs = p.lastHandshake();
            line(sb, "last_handshake_time_sec", Long.toString(hs == null ? 0 : hs.getEpochSecond()));
            line(sb, "last_handshake_time_nsec", Long.toString(hs == null ? 0 : hs.getNano()));
            line(sb, "tx_bytes", Long.toUnsignedString(p.txBytes()));
            line(sb, "rx_bytes", Long.toUnsignedString(p.rxBytes()));
            line(sb, "persistent_keepalive_interval", Integer.toString(p.persistentKeepaliveSeconds()));
            for (IpPrefix a : p.allowedIps()) {
                line(sb, "allowed_ip", AddressText.format(a));
            }
        }
        return sb.toString();
    }

    /** The lines of a {@code set=1} request for {@code update}, each ending in {@code \n}, as {@code wg} writes them. */
    public static String formatUpdate(DeviceUpdate update) {
        StringBuilder sb = new StringBuilder(128 + 192 * update.peers().size());
        if (update.privateKey() != null) {
            line(sb, "private_key", hex(update.privateKey()));
        }
        if (update.listenPort() != null) {
            line(sb, "listen_port", Integer.toString(update.listenPort()));
        }
        if (update.fwmark() != null) {
            line(sb, "fwmark", Integer.toUnsignedString(update.fwmark()));
        }
        if (update.replacePeers()) {
            line(sb, "replace_peers", "true");
        }
        for (PeerUpdate p : update.peers()) {
            line(sb, "public_key", hex(p.publicKey()));
            if (p.remove()) {
                line(sb, "remove", "true");
                continue;
            }
            if (p.updateOnly()) {
                line(sb, "update_only", "true");
            }
            if (p.presharedKey() != null) {
                line(sb, "preshared_key", hex(p.presharedKey()));
            }
            if (p.endpoint() != null) {
                line(sb, "endpoint", AddressText.format(p.endpoint()));
            }
            if (p.persistentKeepaliveSeconds() != null) {
                line(sb, "persistent_keepalive_interval", Integer.toString(p.persistentKeepaliveSeconds()));
            }
            if (p.replaceAllowedIps()) {
                line(sb, "replace_allowed_ips", "true");
            }
            for (IpPrefix a : p.allowedIps()) {
                line(sb, "allowed_ip", AddressText.format(a));
            }
        }
        return sb.toString();
    }

    /**
     * Parses the lines of a {@code get=1} answer (without {@code errno=}). Unknown keys are
     * skipped, as {@code wg} does, so that newer devices still parse.
     *
     * @param firstLine the number of the first line, for messages
     * @throws UapiException (EPROTO) naming the line of a malformed value
     */
    public static DeviceStatus parseStatus(List<String> lines, int firstLine) throws UapiException {
        Key privateKey = null;
        int listenPort = 0;
        int fwmark = 0;
        List<PeerStatus> peers = new ArrayList<>();
        PeerStatusBuilder peer = null;
        int n = firstLine;
        for (String text : lines) {
            Line l = Line.split(text, n++, UapiException.EPROTO);
            switch (l.key) {
                case "private_key" -> {
                    if (peer != null) {
                        throw l.error("private_key after a peer began");
                    }
                    Key k = l.key(Key.Type.PRIVATE);
                    privateKey = isZero(k) ? null : k;
                }
                case "listen_port" -> listenPort = l.u16();
                case "fwmark" -> fwmark = l.u32();
                case "public_key" -> {
                    if (peer != null) {
                        peers.add(peer.build());
                    }
                    peer = new PeerStatusBuilder(l.key(Key.Type.PUBLIC));
                }
                case "preshared_key", "protocol_version", "endpoint", "last_handshake_time_sec",
                        "last_handshake_time_nsec", "tx_bytes", "rx_bytes", "persistent_keepalive_interval",
                        "allowed_ip" -> {
                    if (peer == null) {
                        throw l.error(l.key + " before any public_key");
                    }
                    peer.accept(l);
                }
                default -> { } // a key of a newer protocol
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new DeviceStatus(privateKey, listenPort, fwmark, peers);
    }

    /**
     * Parses the lines of a {@code set=1} request with the semantics of wireguard-go: device
     * keys first, then one section per {@code public_key}.
     *
     * @param firstLine the number of the first line, for messages ({@code set=1} is line 1)
     * @throws UapiException (EINVAL) naming the line and what is wrong
     */
    public static DeviceUpdate parseUpdate(List<String> lines, int firstLine) throws UapiException {
        Key privateKey = null;
        Integer listenPort = null;
        Integer fwmark = null;
        boolean replacePeers = false;
        List<PeerUpdate> peers = new ArrayList<>();
        PeerUpdateBuilder peer = null;
        int n = firstLine;
        for (String text : lines) {
            Line l = Line.split(text, n++, UapiException.EINVAL);
            if (l.key.equals("public_key")) {
                if (peer != null) {
                    peers.add(peer.build());
                }
                if (peers.size() >= MAX_PEERS_PER_REQUEST) {
                    throw l.error("more than " + MAX_PEERS_PER_REQUEST + " peers in one request");
                }
                peer = new PeerUpdateBuilder(l.key(Key.Type.PUBLIC));
                continue;
            }
            if (peer == null) {
                switch (l.key) {
                    case "private_key" -> privateKey = l.key(Key.Type.PRIVATE);
                    case "listen_port" -> listenPort = l.u16();
                    case "fwmark" -> fwmark = l.value.isEmpty() ? 0 : l.u32();
                    case "replace_peers" -> replacePeers = l.isTrue();
                    case "remove", "update_only", "preshared_key", "endpoint", "persistent_keepalive_interval",
                            "replace_allowed_ips", "allowed_ip", "protocol_version" ->
                            throw l.error(l.key + " before any public_key");
                    default -> throw l.error("unknown key '" + printable(l.key) + "'");
                }
            } else {
                switch (l.key) {
                    case "remove" -> peer.remove = l.isTrue();
                    case "update_only" -> peer.updateOnly = l.isTrue();
                    case "preshared_key" -> peer.presharedKey = l.key(Key.Type.PRESHARED);
                    case "endpoint" -> peer.endpoint = l.endpoint();
                    case "persistent_keepalive_interval" -> peer.keepalive = l.u16();
                    case "replace_allowed_ips" -> peer.replaceAllowedIps = l.isTrue();
                    case "allowed_ip" -> peer.allowedIps.add(l.prefix());
                    case "protocol_version" -> {
                        if (!l.value.equals("1")) {
                            throw l.error("protocol_version '" + printable(l.value) + "' is not supported (only 1)");
                        }
                    }
                    case "private_key", "listen_port", "fwmark", "replace_peers" ->
                            throw l.error(l.key + " is a device key but comes after a public_key");
                    default -> throw l.error("unknown key '" + printable(l.key) + "'");
                }
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new DeviceUpdate(privateKey, listenPort, fwmark, replacePeers, peers);
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value).append('\n');
    }

    private static String hex(Key key) {
        return HEX.formatHex(key.bytes());
    }

    static boolean isZero(Key key) {
        byte[] b = key.bytes();
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }

    /** Text safe to echo in an error: at most 64 characters, controls escaped. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (s.length() > 64) {
            sb.append("…");
        }
        return sb.toString();
    }

    /**
     * What may be shown of a line that is not {@code key=value}: only what comes before a
     * ':' or space (say {@code private_key: <hex>}, a mistyped secret), the whole line when
     * shorter than a key, else only its length.
     */
    static String withoutValue(String text) {
        for (int i = 0; i < text.length() && i < 32; i++) {
            char c = text.charAt(i);
            if (c == ':' || c == ' ') {
                return "'" + printable(text.substring(0, i)) + c + "…'";
            }
        }
        // shorter than any key (44 base64 or 64 hex characters): safe to show whole
        return text.length() <= 32 ? "'" + printable(text) + "'" : "a line of " + text.length() + " characters";
    }

    /** One {@code key=value} line and its number. */
    private record Line(String key, String value, int number, int errno) {
        static Line split(String text, int number, int errno) throws UapiException {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new UapiException(errno, "line " + number + ": " + withoutValue(text) + " is not key=value");
            }
            return new Line(text.substring(0, eq), text.substring(eq + 1), number, errno);
        }

        UapiException error(String what) {
            return new UapiException(errno, "line " + number + ": " + what);
        }

        private boolean secret() {
            return key.equals("private_key") || key.equals("preshared_key");
        }

        private UapiException bad(String expected) {
            String shown = secret() ? "" : " '" + printable(value) + "'";
            return error(key + shown + " is not " + expected);
        }

        Key key(Key.Type type) throws UapiException {
            if (value.length() != 64) {
                throw bad("64 hex digits");
            }
            try {
                return Key.of(HEX.parseHex(value), type);
            } catch (IllegalArgumentException e) {
                throw bad("64 hex digits");
            }
        }

        long number(long max, String expected) throws UapiException {
            if (value.isEmpty() || value.length() > 20 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw bad(expected);
            }
            try {
                long v = Long.parseUnsignedLong(value);
                if (Long.compareUnsigned(v, max) > 0) {
                    throw bad(expected);
                }
                return v;
            } catch (NumberFormatException e) {
                throw bad(expected);
            }
        }

        int u16() throws UapiException {
            return (int) number(0xffff, "a number 0..65535");
        }

        int u32() throws UapiException {
            return (int) number(0xffffffffL, "a number 0..4294967295");
        }

        long u64() throws UapiException {
            return number(-1L, "a number 0..18446744073709551615");
        }

        boolean isTrue() throws UapiException {
            if (!value.equals("true")) {
                throw bad("'true'");
            }
            return true;
        }

        InetSocketAddress endpoint() throws UapiException {
            try {
                return AddressText.parseEndpoint(value);
            } catch (IllegalArgumentException e) {
                throw error("endpoint " + printable(e.getMessage()));
            }
        }

        IpPrefix prefix() throws UapiException {
            try {
                return AddressText.parsePrefix(value);
            } catch (IllegalArgumentException e) {
                throw error("allowed_ip " + printable(e.getMessage()));
            }
        }
    }

    private static final class PeerStatusBuilder {
        final Key publicKey;
        Key presharedKey;
        InetSocketAddress endpoint;
        int keepalive;
        final List<IpPrefix> allowedIps = new ArrayList<>();
        long handshakeSec;
        long handshakeNsec;
        long rx;
        long tx;
        int protocolVersion;

        PeerStatusBuilder(Key publicKey) {
            this.publicKey = publicKey;
        }

        void accept(Line l) throws UapiException {
            switch (l.key) {
                case "preshared_key" -> {
                    Key k = l.key(Key.Type.PRESHARED);
                    presharedKey = isZero(k) ? null : k;
                }
                case "protocol_version" -> protocolVersion = l.u16();
                case "endpoint" -> endpoint = l.endpoint();
                case "last_handshake_time_sec" -> handshakeSec = l.number(Instant.MAX.getEpochSecond(), "a number of seconds");
                case "last_handshake_time_nsec" -> handshakeNsec = l.number(999_999_999, "a number 0..999999999");
                case "tx_bytes" -> tx = l.u64();
                case "rx_bytes" -> rx = l.u64();
                case "persistent_keepalive_interval" -> keepalive = l.u16();
                case "allowed_ip" -> allowedIps.add(l.prefix());
                default -> throw new AssertionError(l.key);
            }
        }

        PeerStatus build() {
            Instant hs = handshakeSec == 0 && handshakeNsec == 0 ? null : Instant.ofEpochSecond(handshakeSec, handshakeNsec);
            return new PeerStatus(publicKey, presharedKey, endpoint, keepalive, allowedIps, hs, rx, tx, protocolVersion);
        }
    }

    private static final class PeerUpdateBuilder {
        final Key publicKey;
        boolean remove;
        boolean updateOnly;
        Key presharedKey;
        InetSocketAddress endpoint;
        Integer keepalive;
        boolean replaceAllowedIps;
        final List<IpPrefix> allowedIps = new ArrayList<>();

        PeerUpdateBuilder(Key publicKey) {
            this.publicKey = publicKey;
        }

        PeerUpdate build() {
            return new PeerUpdate(publicKey, remove, updateOnly, presharedKey, endpoint, keepalive, replaceAllowedIps, allowedIps);
        }
    }
}
