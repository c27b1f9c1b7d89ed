package org.cunicu4j.stun.turn;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;
import org.cunicu4j.net.PacketConn;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.stun.url.Transport;
import org.cunicu4j.stun.url.TurnUrl;

/**
 * What {@link TurnClient#allocate} needs: the server and transport, long-term
 * credentials, and the timers. Immutable; build with {@link #builder}. The defaults follow
 * RFC 8656: a 600 s allocation refreshed at 3/4 of the lifetime the server grants,
 * permissions (300 s) refreshed every 240 s, channels (600 s) every 540 s; requests over
 * UDP retransmitted from an RTO of 500 ms, doubling, at most 7 times.
 */
public final class TurnConfig {
    private final InetSocketAddress server;
    private final Transport transport;
    private final String username;
    private final String password;
    private final Duration requestTimeout;
    private final Duration rto;
    private final Duration lifetime;
    private final Duration permissionRefresh;
    private final Duration channelRefresh;
    private final Duration refreshRetry;
    private final Duration permissionLifetime;
    private final Duration channelLifetime;
    private final SSLContext sslContext;
    private final String tlsHostname;
    private final PacketConn udpConn;
    private final ScheduledExecutorService scheduler;
    private final int queueSlots;
    private final int slotSize;

    private TurnConfig(Builder b) {
        this.server = Objects.requireNonNull(b.server, "server");
        this.transport = b.transport;
        this.username = b.username;
        this.password = b.password;
        this.requestTimeout = b.requestTimeout;
        this.rto = b.rto;
        this.lifetime = b.lifetime;
        this.permissionRefresh = b.permissionRefresh;
        this.channelRefresh = b.channelRefresh;
        this.refreshRetry = b.refreshRetry;
        this.permissionLifetime = b.permissionLifetime;
        this.channelLifetime = b.channelLifetime;
        this.sslContext = b.sslContext;
        this.tlsHostname = b.tlsHostname;
        this.udpConn = b.udpConn;
        this.scheduler = b.scheduler;
        this.queueSlots = b.queueSlots;
        this.slotSize = b.slotSize;
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("unresolved TURN server address: " + server);
        }
        if (udpConn != null && transport != Transport.UDP) {
            throw new IllegalArgumentException("a PacketConn to the server only goes with transport UDP, not " + transport);
        }
    }

    /** A builder for {@code server} over {@code transport}. */
    public static Builder builder(InetSocketAddress server, Transport transport) {
        return new Builder(server, transport);
    }

    /**
     * A builder for the server, transport and credentials of {@code url} (resolving its
     * host; TLS verifies the certificate against the URL's host).
     */
    public static Builder builder(TurnUrl url) {
        Builder b = new Builder(url.resolve(), url.transport()).credentials(url.username(), url.password());
        b.tlsHostname = url.host();
        return b;
    }

    public InetSocketAddress server() {
        return server;
    }

    public Transport transport() {
        return transport;
    }

    public String username() {
        return username;
    }

    String password() {
        return password;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration rto() {
        return rto;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Duration permissionRefresh() {
        return permissionRefresh;
    }

    public Duration channelRefresh() {
        return channelRefresh;
    }

    /** The wait before a failed permission or channel refresh is tried again. */
    public Duration refreshRetry() {
        return refreshRetry;
    }

    /** How long the server keeps a permission after its last refresh (RFC 8656: 300 s). */
    public Duration permissionLifetime() {
        return permissionLifetime;
    }

    /** How long the server keeps a channel binding after its last refresh (RFC 8656: 600 s). */
    public Duration channelLifetime() {
        return channelLifetime;
    }

    SSLContext sslContext() {
        return sslContext;
    }

    String tlsHostname() {
        return tlsHostname;
    }

    PacketConn udpConn() {
        return udpConn;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    int queueSlots() {
        return queueSlots;
    }

    int slotSize() {
        return slotSize;
    }

    /** Masks the password. */
    @Override
    public String toString() {
        return "TurnConfig[" + transport.id() + " " + server + ", user=" + username + "]";
    }

    /** Builds a {@link TurnConfig}; not thread-safe. */
    public static final class Builder {
        private final InetSocketAddress server;
        private final Transport transport;
        private String username = "";
        private String password = "";
        private Duration requestTimeout = Duration.ofMillis(39_500);
        private Duration rto = Duration.ofMillis(500);
        private Duration lifetime = Duration.ofMinutes(10);
        private Duration permissionRefresh = Duration.ofSeconds(240);
        private Duration channelRefresh = Duration.ofSeconds(540);
        private Duration refreshRetry = Duration.ofSeconds(5);
        private Duration permissionLifetime = Duration.ofSeconds(300);
        private Duration channelLifetime = Duration.ofSeconds(600);
        private SSLContext sslContext;
        private String tlsHostname;
        private PacketConn udpConn;
        private ScheduledExecutorService scheduler;
        private int queueSlots = 256;
        private int slotSize = 2048;

        private Builder(InetSocketAddress server, Transport transport) {
            this.server = Objects.requireNonNull(server, "server");
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        /**
         * Long-term credentials (RFC 8489 section 9.2); a TURN REST pair works the same way.
         * An empty user means none; a user needs a non-empty password.
         *
         * @throws IllegalArgumentException when {@code user} is given with an empty password
         */
        public Builder credentials(String user, String pass) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(pass, "pass");
            if (!user.isEmpty() && pass.isEmpty()) {
                throw new IllegalArgumentException("the TURN credentials of user \"" + user
                        + "\" have an empty password; long-term credentials need one");
            }
            this.username = user;
            this.password = pass;
            return this;
        }

        public Builder credentials(TurnRestCredentials rest) {
            return credentials(rest.username(), rest.password());
        }

        /** How long one request may take in all, retransmissions included (default 39.5 s as RFC 8489's Ti). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** The initial retransmission timeout over UDP (default 500 ms). */
        public Builder rto(Duration rto) {
            this.rto = positive(rto, "rto");
            return this;
        }

        /** The allocation lifetime to ask for (LIFETIME); the server decides. */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = positive(lifetime, "lifetime");
            return this;
        }

        /** How often installed permissions are refreshed (default 240 s; they expire after 300 s). */
        public Builder permissionRefresh(Duration every) {
            this.permissionRefresh = positive(every, "permissionRefresh");
            return this;
        }

        /** How often bound channels are refreshed (default 540 s; they expire after 600 s). */
        public Builder channelRefresh(Duration every) {
            this.channelRefresh = positive(every, "channelRefresh");
            return this;
        }

        /**
         * After a failed permission or channel refresh, the wait before the next try (default
         * 5 s); tries go on until the permission or channel expires, when it is forgotten.
         */
        public Builder refreshRetry(Duration wait) {
            this.refreshRetry = positive(wait, "refreshRetry");
            return this;
        }

        /** The server's permission lifetime (default RFC 8656's 300 s; shorter only for tests). */
        public Builder permissionLifetime(Duration lifetime) {
            this.permissionLifetime = positive(lifetime, "permissionLifetime");
            return this;
        }

        /** The server's channel lifetime (default RFC 8656's 600 s; shorter only for tests). */
        public Builder channelLifetime(Duration lifetime) {
            this.channelLifetime = positive(lifetime, "channelLifetime");
            return this;
        }

        /** The TLS context for transport TLS (default: the JDK's; see {@link TlsTrust}). */
        public Builder sslContext(SSLContext ctx) {
            this.sslContext = ctx;
            return this;
        }

        /** The name (or IP literal) the server's certificate must match (default: the server's IP). */
        public Builder tlsHostname(String name) {
            this.tlsHostname = name;
            return this;
        }

        /**
         * For transport UDP: the socket to talk to the server from, which the allocation then
         * owns, reads alone, and closes. Default: a new UDP socket on an ephemeral port.
         */
        public Builder udpConn(PacketConn conn) {
            this.udpConn = conn;
            return this;
        }

        /**
         * The scheduler for refreshes and retransmissions, shared by many allocations; its
         * tasks never block. Default: one daemon thread per allocation, stopped on close.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Relayed datagrams buffered for {@code receive} and the largest one (default 256 × 2048 bytes). */
        public Builder receiveQueue(int slots, int slotSize) {
            if (slots < 1 || slotSize < 1 || slotSize > 65535) {
                throw new IllegalArgumentException("receive queue needs slots >= 1 and slotSize 1..65535, got "
                        + slots + " x " + slotSize);
            }
            this.queueSlots = slots;
            this.slotSize = slotSize;
            return this;
        }

        public TurnConfig build() {
            return new TurnConfig(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
