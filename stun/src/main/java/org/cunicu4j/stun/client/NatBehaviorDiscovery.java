package org.cunicu4j.stun.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.cunicu4j.stun.client.NatBehavior.Type;

/**
 * NAT behaviour discovery against a server that does RFC 5780 (its Binding responses
 * carry OTHER-ADDRESS), from one local socket ({@link StunClient}):
 *
 * <ul>
 *   <li><b>Mapping</b> (section 4.3). Test I: Binding to the primary address gives the
 *       mapped address X1 and OTHER-ADDRESS. Test II: to the other IP at the primary port,
 *       giving X2; X2 = X1 means endpoint-independent. Test III: to the other IP and port,
 *       giving X3; X3 = X2 means address-dependent, otherwise address-and-port-dependent.
 *       When X1 is the local address there is no NAT (endpoint-independent).</li>
 *   <li><b>Filtering</b> (section 4.4). Test II: Binding to the primary address with
 *       CHANGE-REQUEST (change IP and port); an answer from the other address means
 *       endpoint-independent. Else test III: CHANGE-REQUEST (change port); an answer means
 *       address-dependent, silence address-and-port-dependent. Silence is awaited with
 *       the shorter {@code silencePolicy}.</li>
 * </ul>
 *
 * <p>The filtering tests run right after mapping test I, before anything is sent to the
 * other address: a NAT that filters by address would otherwise already let the other
 * address's answers in.
 *
 * <p>A server without OTHER-ADDRESS gives {@link Type#UNKNOWN} verdicts saying so; no
 * answer to test I is an error ({@link StunTimeoutException}). Borrows the client;
 * thread-safe but one discovery at a time per client gives the clearest result.
 */
public final class NatBehaviorDiscovery {
    /** The default wait for answers that may never come (filtering tests): about 2.2 s. */
    public static final RetransmissionPolicy DEFAULT_SILENCE_POLICY =
            new RetransmissionPolicy(Duration.ofMillis(200), 4, 4);

    private final StunClient client;
    private final InetSocketAddress server;
    private final RetransmissionPolicy silencePolicy;

    public NatBehaviorDiscovery(StunClient client, InetSocketAddress server) {
        this(client, server, DEFAULT_SILENCE_POLICY);
    }

    /**
     * @param silencePolicy retransmissions for the filtering tests, where no answer is a
     *     verdict rather than an error
     */
    public NatBehaviorDiscovery(StunClient client, InetSocketAddress server, RetransmissionPolicy silencePolicy) {
        this.client = Objects.requireNonNull(client, "client");
        this.server = Objects.requireNonNull(server, "server");
        this.silencePolicy = Objects.requireNonNull(silencePolicy, "silencePolicy");
    }

    /** Runs the mapping and the filtering tests. */
    public NatBehavior discover() throws IOException {
        BindingResult first = bind(server, false, false);
        Optional<InetSocketAddress> other = first.otherAddress();
        boolean behindNat = !isLocal(first.mappedAddress());
        if (other.isEmpty()) {
            String why = "server " + addr(server) + " does not do RFC 5780: its Binding response has no OTHER-ADDRESS";
            return new NatBehavior(Type.UNKNOWN, why, Type.UNKNOWN, why, first.mappedAddress(), other, behindNat);
        }
        // Filtering first: mapping tests II and III send to the other address, which would
        // open an address-dependent filter towards it and make filtering test II pass.
        Verdict filtering = filtering(other.get());
        Verdict mapping = mapping(first, other.get(), behindNat);
        return new NatBehavior(mapping.type, mapping.reason, filtering.type, filtering.reason, first.mappedAddress(),
                other, behindNat);
    }

    private record Verdict(Type type, String reason) {}

    private Verdict mapping(BindingResult first, InetSocketAddress other, boolean behindNat) {
        InetSocketAddress x1 = first.mappedAddress();
        if (!behindNat) {
            return new Verdict(Type.ENDPOINT_INDEPENDENT, "no NAT: the mapped address " + addr(x1)
                    + " is the local address");
        }
        InetSocketAddress altIpPrimaryPort = new InetSocketAddress(other.getAddress(), server.getPort());
        InetSocketAddress x2;
        try {
            x2 = bind(altIpPrimaryPort, false, false).mappedAddress();
        } catch (IOException e) {
            return new Verdict(Type.UNKNOWN, "test II to " + addr(altIpPrimaryPort) + " failed: " + e.getMessage());
        }
        if (x2.equals(x1)) {
            return new Verdict(Type.ENDPOINT_INDEPENDENT, "mapped to " + addr(x1) + " towards both " + addr(server)
                    + " and " + addr(altIpPrimaryPort));
        }
        InetSocketAddress x3;
        try {
            x3 = bind(other, false, false).mappedAddress();
        } catch (IOException e) {
            return new Verdict(Type.UNKNOWN, "test III to " + addr(other) + " failed: " + e.getMessage());
        }
        if (x3.equals(x2)) {
            return new Verdict(Type.ADDRESS_DEPENDENT, "mapped to " + addr(x1) + " towards " + addr(server)
                    + " but " + addr(x2) + " towards " + addr(altIpPrimaryPort) + " and " + addr(other));
        }
        return new Verdict(Type.ADDRESS_AND_PORT_DEPENDENT, "mapped to " + addr(x1) + " towards " + addr(server)
                + ", " + addr(x2) + " towards " + addr(altIpPrimaryPort) + " and " + addr(x3) + " towards "
                + addr(other));
    }

    private Verdict filtering(InetSocketAddress other) {
        try {
            BindingResult r = bindWithin(silencePolicy, true, true);
            if (!r.respondedFrom().equals(other)) {
                return new Verdict(Type.UNKNOWN, "asked to change address and port, the server answered from "
                        + addr(r.respondedFrom()) + " instead of its OTHER-ADDRESS " + addr(other));
            }
            return new Verdict(Type.ENDPOINT_INDEPENDENT, "an answer from " + addr(r.respondedFrom())
                    + " (other address and port) came through");
        } catch (StunTimeoutException e) {
            // silence: go on with test III
        } catch (IOException e) {
            return new Verdict(Type.UNKNOWN, "filtering test II failed: " + e.getMessage());
        }
        try {
            BindingResult r = bindWithin(silencePolicy, false, true);
            InetSocketAddress otherPort = new InetSocketAddress(server.getAddress(), other.getPort());
            if (!r.respondedFrom().equals(otherPort)) {
                return new Verdict(Type.UNKNOWN, "asked to change only its port, the server answered from "
                        + addr(r.respondedFrom()) + " instead of " + addr(otherPort));
            }
            return new Verdict(Type.ADDRESS_DEPENDENT, "the answer from " + addr(other)
                    + " (other address) was filtered, the one from " + addr(r.respondedFrom())
                    + " (same address, other port) came through");
        } catch (StunTimeoutException e) {
            return new Verdict(Type.ADDRESS_AND_PORT_DEPENDENT, "answers from the other address and from the other"
                    + " port of " + addr(server) + " were both filtered");
        } catch (IOException e) {
            return new Verdict(Type.UNKNOWN, "filtering test III failed: " + e.getMessage());
        }
    }

    private BindingResult bind(InetSocketAddress to, boolean changeIp, boolean changePort) throws IOException {
        byte[] request = BindingClient.bindingRequest(changeIp, changePort);
        return BindingClient.interpret(client.call(request, to), to);
    }

    private BindingResult bindWithin(RetransmissionPolicy policy, boolean changeIp, boolean changePort)
            throws IOException {
        byte[] request = BindingClient.bindingRequest(changeIp, changePort);
        return BindingClient.interpret(StunClient.await(client.request(request, server, policy)), server);
    }

    private boolean isLocal(InetSocketAddress mapped) {
        InetSocketAddress local = client.localAddress();
        if (mapped.getPort() != local.getPort()) {
            return false;
        }
        InetAddress ip = local.getAddress();
        if (!ip.isAnyLocalAddress()) {
            return ip.equals(mapped.getAddress());
        }
        try {
            return NetworkInterface.getByInetAddress(mapped.getAddress()) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static String addr(InetSocketAddress a) {
        return StunTimeoutException.address(a);
    }
}
