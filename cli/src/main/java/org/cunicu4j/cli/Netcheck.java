package org.cunicu4j.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.cunicu4j.net.udp.UdpPacketConn;
import org.cunicu4j.stun.client.BindingClient;
import org.cunicu4j.stun.client.BindingResult;
import org.cunicu4j.stun.client.NatBehavior;
import org.cunicu4j.stun.client.NatBehaviorDiscovery;
import org.cunicu4j.stun.client.RetransmissionPolicy;
import org.cunicu4j.stun.client.StreamStunTransport;
import org.cunicu4j.stun.client.StunClient;
import org.cunicu4j.stun.client.StunTransport;
import org.cunicu4j.stun.client.TlsTrust;
import org.cunicu4j.stun.turn.Allocation;
import org.cunicu4j.stun.turn.TurnClient;
import org.cunicu4j.stun.turn.TurnConfig;
import org.cunicu4j.stun.url.ServerUrl;
import org.cunicu4j.stun.url.Transport;
import org.cunicu4j.stun.url.TurnUrl;

/**
 * Runs the checks of {@code cunicu4j netcheck}, one server after the other: a Binding
 * request over the server's transport (reachability, RTT, mapped address); for TURN
 * servers with credentials, an allocation (relayed address), released at once; and NAT
 * behaviour discovery (RFC 5780) against the first server reachable over UDP. Sockets are
 * made on the calling thread. Not thread-safe; one run per instance.
 */
final class Netcheck {
    private final Duration timeout;
    private final SSLContext sslContext;

    /**
     * @param timeout how long each request may take, retransmissions included
     * @param sslContext trust for stuns:/turns: servers
     */
    Netcheck(Duration timeout, SSLContext sslContext) {
        this.timeout = timeout;
        this.sslContext = sslContext;
    }

    NetcheckReport run(List<ServerUrl> urls) {
        List<NetcheckReport.ServerCheck> checks = new ArrayList<>();
        for (ServerUrl url : urls) {
            checks.add(check(url));
        }
        NetcheckReport.NatCheck nat = null;
        for (int i = 0; i < urls.size() && nat == null; i++) {
            if (urls.get(i).transport() == Transport.UDP && checks.get(i).reachable()) {
                nat = nat(urls.get(i));
            }
        }
        return new NetcheckReport(List.copyOf(checks), nat);
    }

    /** A retransmission policy whose total wait is {@code timeout}: RTO timeout/15, 4 requests, then 8 RTO. */
    RetransmissionPolicy policy() {
        return new RetransmissionPolicy(timeout.dividedBy(15).isZero() ? Duration.ofMillis(1) : timeout.dividedBy(15),
                4, 8);
    }

    private NetcheckReport.ServerCheck check(ServerUrl url) {
        String kind = url instanceof TurnUrl ? "turn" : "stun";
        String transport = url.transport().id();
        InetSocketAddress server = url.resolve();
        if (server.isUnresolved()) {
            return new NetcheckReport.ServerCheck(url.toString(), kind, transport, false, null, 0, null,
                    "cannot resolve host \"" + url.host() + "\"", null);
        }
        BindingResult binding;
        try {
            binding = bind(url, server);
        } catch (IOException | RuntimeException e) {
            return new NetcheckReport.ServerCheck(url.toString(), kind, transport, false, null, 0, null, message(e),
                    url instanceof TurnUrl ? NetcheckReport.AllocationCheck.skipped("the server is unreachable")
                            : null);
        }
        NetcheckReport.AllocationCheck allocation = null;
        if (url instanceof TurnUrl turn) {
            allocation = allocate(turn);
        }
        return new NetcheckReport.ServerCheck(url.toString(), kind, transport, true, binding.rtt(),
                binding.requests(), binding.mappedAddress(), null, allocation);
    }

    private BindingResult bind(ServerUrl url, InetSocketAddress server) throws IOException {
        switch (url.transport()) {
            case UDP -> {
                try (StunClient client = udpClient(server)) {
                    return new BindingClient(client.transportTo(server)).discover();
                }
            }
            case TCP -> {
                try (StunTransport t = StreamStunTransport.over(connect(server), "TCP", timeout, null)) {
                    return new BindingClient(t).discover();
                }
            }
            case TLS -> {
                Socket tls = TlsTrust.handshake(connect(server), sslContext, url.host(), timeout);
                try (StunTransport t = StreamStunTransport.over(tls, "TLS", timeout, null)) {
                    return new BindingClient(t).discover();
                }
            }
            default -> throw new IllegalStateException("transport " + url.transport());
        }
    }

    private Socket connect(InetSocketAddress server) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(server, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return tcp;
        } catch (IOException e) {
            tcp.close();
            throw new IOException("cannot connect to " + NetcheckReport.address(server) + " over TCP: "
                    + e.getMessage(), e);
        }
    }

    private StunClient udpClient(InetSocketAddress server) throws IOException {
        String any = server.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0";
        return StunClient.owning(UdpPacketConn.open(new InetSocketAddress(any, 0)), null, policy(), null);
    }

    private NetcheckReport.AllocationCheck allocate(TurnUrl url) {
        if (!url.hasCredentials()) {
            return NetcheckReport.AllocationCheck.skipped("no user:password in the URL");
        }
        TurnConfig config = TurnConfig.builder(url).requestTimeout(timeout).rto(policy().rto())
                .sslContext(sslContext).build();
        try (Allocation a = TurnClient.allocate(config)) {
            return NetcheckReport.AllocationCheck.granted(a.relayedAddress(), a.lifetime());
        } catch (IOException | RuntimeException e) {
            return NetcheckReport.AllocationCheck.failed(message(e));
        }
    }

    private NetcheckReport.NatCheck nat(ServerUrl url) {
        InetSocketAddress server = url.resolve();
        try (StunClient client = udpClient(server)) {
            NatBehavior b = new NatBehaviorDiscovery(client, server).discover();
            return new NetcheckReport.NatCheck(url.toString(), b.mapping().toString(), b.mappingReason(),
                    b.filtering().toString(), b.filteringReason(), b.behindNat(), b.mappedAddress(), null);
        } catch (IOException | RuntimeException e) {
            return new NetcheckReport.NatCheck(url.toString(), "unknown", null, "unknown", null, null, null, message(e));
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        m = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        return untrusted(e) ? m + " — pass --tls-ca FILE to trust a private CA" : m;
    }

    /** Whether {@code e} is a TLS certificate path failure (an unknown CA, a self-signed certificate). */
    private static boolean untrusted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertPathBuilderException
                    || (t.getMessage() != null && t.getMessage().contains("PKIX path"))) {
                return true;
            }
        }
        return false;
    }
}
