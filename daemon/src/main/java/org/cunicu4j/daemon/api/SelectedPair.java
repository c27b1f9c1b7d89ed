package org.cunicu4j.daemon.api;

import java.net.InetSocketAddress;
import org.cunicu4j.ice.CandidateType;

/**
 * The candidate pair a session's ICE agent selected.
 *
 * @param localType type of the local candidate (host, srflx, prflx, relay)
 * @param local the local candidate's address
 * @param remoteType type of the remote candidate
 * @param remote the remote candidate's address
 * @param protocol {@code "udp"}, or for a relay candidate the protocol to the TURN server ({@code udp}, {@code tcp}, {@code tls})
 */
public record SelectedPair(CandidateType localType, InetSocketAddress local, CandidateType remoteType,
        InetSocketAddress remote, String protocol) {}
