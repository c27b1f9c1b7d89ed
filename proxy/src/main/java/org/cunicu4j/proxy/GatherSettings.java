package org.cunicu4j.proxy;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;

/**
 * What a peer's ICE agent gathers: the configuration's {@code ice:} section as the proxy
 * needs it. Immutable.
 *
 * @param stun STUN servers (server-reflexive candidates)
 * @param turn TURN servers (relay candidates); their own credentials, else {@code turnUsername}/{@code turnPassword}
 * @param turnUsername the {@code ice.username} (may be null)
 * @param turnPassword the {@code ice.password} (may be null; never printed)
 * @param interfaces which interfaces host candidates come from ({@code interfaces_include}/{@code _exclude})
 * @param candidateTypes the {@code candidate_types} to gather (all four by default)
 * @param ipv4 gather on IPv4 ({@code network_types} has udp4)
 * @param ipv6 gather on IPv6 ({@code network_types} has udp6)
 * @param loopback host candidates on loopback interfaces and addresses too (tests and
 *     single-host labs; off by default, as the host gatherer has it)
 */
public record GatherSettings(
        List<StunUrl> stun,
        List<TurnUrl> turn,
        String turnUsername,
        String turnPassword,
        InterfaceFilter interfaces,
        Set<CandidateType> candidateTypes,
        boolean ipv4,
        boolean ipv6,
        boolean loopback) {

    public GatherSettings {
        stun = List.copyOf(stun);
        turn = List.copyOf(turn);
        Objects.requireNonNull(interfaces, "interfaces");
        candidateTypes = Set.copyOf(candidateTypes);
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("at least one of IPv4 and IPv6 must be gathered on");
        }
    }

    /** Settings without loopback candidates. */
    public GatherSettings(List<StunUrl> stun, List<TurnUrl> turn, String turnUsername, String turnPassword,
            InterfaceFilter interfaces, Set<CandidateType> candidateTypes, boolean ipv4, boolean ipv6) {
        this(stun, turn, turnUsername, turnPassword, interfaces, candidateTypes, ipv4, ipv6, false);
    }

    /** These settings with host candidates from the interfaces {@code filter} accepts. */
    public GatherSettings withInterfaces(InterfaceFilter filter) {
        return new GatherSettings(stun, turn, turnUsername, turnPassword, filter, candidateTypes, ipv4, ipv6, loopback);
    }

    /** These settings with loopback candidates allowed or not. */
    public GatherSettings withLoopback(boolean allow) {
        return new GatherSettings(stun, turn, turnUsername, turnPassword, interfaces, candidateTypes, ipv4, ipv6, allow);
    }

    /** These settings with only the families given. */
    public GatherSettings withFamilies(boolean v4, boolean v6) {
        return new GatherSettings(stun, turn, turnUsername, turnPassword, interfaces, candidateTypes, v4, v6, loopback);
    }

    /** Host candidates only, on every interface but {@code wg*}, IPv4 and IPv6. */
    public static GatherSettings hostOnly() {
        return new GatherSettings(List.of(), List.of(), null, null, InterfaceFilter.DEFAULT,
                Set.of(CandidateType.HOST, CandidateType.PEER_REFLEXIVE), true, true);
    }

    @Override
    public String toString() {
        return "GatherSettings[stun=" + stun + ", turn=" + turn + ", user=" + turnUsername
                + ", password=" + (turnPassword == null ? "none" : "***") + ", interfaces=" + interfaces
                + ", types=" + candidateTypes + ", ipv4=" + ipv4 + ", ipv6=" + ipv6 + ", loopback=" + loopback + "]";
    }
}
