package org.cunicu4j.ice.lab;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.linux.NetNs;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;

/**
 * An ice4j agent (an ICE implementation no one here wrote) with one stream and one
 * component, for interop tests: its credentials and host candidates come out as SDP
 * candidate-attribute values ({@link SdpCandidateLine}), remote ones go in the same way.
 *
 * <p>Made inside a lab host's namespace ({@link #create}): ice4j enumerates interfaces and
 * binds its host sockets on the calling thread, so they live in that namespace. Harvesting
 * is limited to the host candidates of that namespace (no AWS probe, no STUN servers).
 * Thread-safe as ice4j is; one test owns it and {@link #close}s it.
 */
final class Ice4jPeer implements AutoCloseable {
    static {
        // ice4j reads Typesafe config, which system properties override: nothing may leave the lab.
        System.setProperty("ice4j.harvest.mapping.aws.enabled", "false");
        System.setProperty("ice4j.harvest.use-link-local-addresses", "false");
        System.setProperty("ice4j.ice.termination-delay", "1 hour");
        System.setProperty("ice4j.software", "");
    }

    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final List<IceProcessingState> states = new CopyOnWriteArrayList<>();

    private Ice4jPeer(Agent agent, IceMediaStream stream, Component component) {
        this.agent = agent;
        this.stream = stream;
        this.component = component;
        agent.addStateChangeListener(e -> {
            if (e.getNewValue() instanceof IceProcessingState s) {
                states.add(s);
            }
        });
    }

    /** Creates an agent inside namespace {@code netns} with host candidates on its interfaces. */
    static Ice4jPeer create(String netns, boolean controlling) throws Exception {
        return NetNs.call(netns, () -> {
            Agent agent = new Agent();
            agent.setControlling(controlling);
            agent.setUseDynamicPorts(true);
            IceMediaStream stream = agent.createMediaStream("data");
            Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
            return new Ice4jPeer(agent, stream, component);
        });
    }

    String ufrag() {
        return agent.getLocalUfrag();
    }

    String password() {
        return agent.getLocalPassword();
    }

    boolean controlling() {
        return agent.isControlling();
    }

    /** The local candidates (host ones here) as SDP candidate-attribute values. */
    List<String> candidateLines() {
        List<String> lines = new ArrayList<>();
        for (LocalCandidate c : component.getLocalCandidates()) {
            if (c.getTransport() != Transport.UDP) {
                continue;
            }
            TransportAddress a = c.getTransportAddress();
            TransportAddress rel = c.getRelatedAddress();
            lines.add(SdpCandidateLine.format(c.getFoundation(), component.getComponentID(), c.getPriority(),
                    new InetSocketAddress(a.getAddress(), a.getPort()), c.getType().toString(),
                    rel == null ? null : new InetSocketAddress(rel.getAddress(), rel.getPort())));
        }
        return lines;
    }

    /** Sets the remote credentials and candidates (SDP candidate-attribute values). */
    void setRemote(String ufrag, String password, List<String> candidateLines) {
        stream.setRemoteUfrag(ufrag);
        stream.setRemotePassword(password);
        for (String line : candidateLines) {
            addRemoteCandidate(line);
        }
    }

    /** Adds one remote candidate (trickled); before or after {@link #start}. */
    void addRemoteCandidate(String line) {
        SdpCandidateLine c = SdpCandidateLine.parse(line);
        TransportAddress addr = new TransportAddress(c.address().getAddress(), c.address().getPort(), Transport.UDP);
        RemoteCandidate related = null;
        if (c.related() != null) {
            related = new RemoteCandidate(new TransportAddress(c.related().getAddress(), c.related().getPort(),
                    Transport.UDP), component, CandidateType.HOST_CANDIDATE, c.foundation(), c.priority(), null);
        }
        RemoteCandidate rc = new RemoteCandidate(addr, component, CandidateType.parse(c.type()), c.foundation(),
                c.priority(), related, stream.getRemoteUfrag());
        if (agent.isStarted()) {
            component.addUpdateRemoteCandidates(rc);
            component.updateRemoteCandidates();
        } else {
            component.addRemoteCandidate(rc);
        }
    }

    void start() {
        agent.startConnectivityEstablishment();
    }

    IceProcessingState state() {
        return agent.getState();
    }

    /** Every state ice4j went through, in order. */
    List<IceProcessingState> states() {
        return List.copyOf(states);
    }

    /** Connected as ice4j sees it: a pair selected (COMPLETED, or TERMINATED after it). */
    boolean connected() {
        IceProcessingState s = agent.getState();
        return (s == IceProcessingState.COMPLETED || s == IceProcessingState.TERMINATED)
                && component.getSelectedPair() != null;
    }

    CandidatePair selectedPair() {
        return component.getSelectedPair();
    }

    /** The remote address of the selected pair. */
    InetSocketAddress selectedRemote() {
        TransportAddress a = component.getSelectedPair().getRemoteCandidate().getTransportAddress();
        return new InetSocketAddress(a.getAddress(), a.getPort());
    }

    /** Sends one datagram to the selected pair's remote candidate. */
    void send(byte[] data) throws IOException {
        component.getSocket().send(new DatagramPacket(data, data.length, selectedRemote()));
    }

    /** Receives one application datagram (STUN is consumed by ice4j), or null after {@code timeout}. */
    DatagramPacket receive(Duration timeout) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        var socket = component.getSocket();
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            socket.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    @Override
    public void close() {
        agent.free();
    }

    @Override
    public String toString() {
        return "ice4j agent " + ufrag() + (controlling() ? " (controlling)" : " (controlled)") + ", " + state();
    }
}
