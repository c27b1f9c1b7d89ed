package org.cunicu4j.daemon.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.cunicu4j.ice.CandidateType;
import org.cunicu4j.ice.IceConfig;
import org.cunicu4j.ice.gather.InterfaceFilter;
import org.cunicu4j.proxy.GatherSettings;
import org.cunicu4j.stun.url.ServerUrl;
import org.cunicu4j.stun.url.StunUrl;
import org.cunicu4j.stun.url.TurnUrl;

/**
 * An interface's {@code ice:} section. Immutable; {@link #toString()} masks the password and
 * any password inside a TURN URL.
 *
 * @param urls STUN/TURN server URLs ({@code stun:}, {@code stuns:}, {@code turn:}, {@code turns:}), already validated
 * @param candidateTypes {@code candidate_types} to gather (default all four); iterates in enum order
 * @param networkTypes {@code network_types} (default udp4 and udp6; never empty)
 * @param checkInterval {@code check_interval} between connectivity checks (default 200ms)
 * @param disconnectedTimeout {@code disconnected_timeout} (default 5s)
 * @param failedTimeout {@code failed_timeout} (default 25s)
 * @param keepaliveInterval {@code keepalive_interval} (default 2s)
 * @param interfacesInclude globs of interfaces host candidates come from (empty: all)
 * @param interfacesExclude globs of interfaces never used (default {@code wg*}, as {@link InterfaceFilter#DEFAULT})
 * @param username TURN user for URLs without their own, or null
 * @param password TURN password for URLs without their own, or null (never printed)
 */
public record IceSettings(
        List<String> urls,
        Set<CandidateType> candidateTypes,
        Set<NetworkType> networkTypes,
        Duration checkInterval,
        Duration disconnectedTimeout,
        Duration failedTimeout,
        Duration keepaliveInterval,
        List<String> interfacesInclude,
        List<String> interfacesExclude,
        String username,
        String password) {

    /** The defaults: no servers, every candidate type, udp4 and udp6, cunīcu's timings, exclude {@code wg*}. */
    public static final IceSettings DEFAULT = new IceSettings(
            List.of(),
            EnumSet.allOf(CandidateType.class),
            EnumSet.allOf(NetworkType.class),
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            Duration.ofSeconds(25),
            Duration.ofSeconds(2),
            List.of(),
            List.of("wg*"),
            null,
            null);

    public IceSettings {
        urls = List.copyOf(urls);
        candidateTypes = candidateTypes.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(candidateTypes));
        networkTypes = networkTypes.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(networkTypes));
        Objects.requireNonNull(checkInterval, "checkInterval");
        Objects.requireNonNull(disconnectedTimeout, "disconnectedTimeout");
        Objects.requireNonNull(failedTimeout, "failedTimeout");
        Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
        interfacesInclude = List.copyOf(interfacesInclude);
        interfacesExclude = List.copyOf(interfacesExclude);
        if (networkTypes.isEmpty()) {
            throw new IllegalArgumentException("network_types must not be empty");
        }
    }

    /** The STUN servers among {@link #urls()}. */
    public List<StunUrl> stunUrls() {
        List<StunUrl> out = new ArrayList<>();
        for (String u : urls) {
            if (ServerUrl.parse(u) instanceof StunUrl s) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    /** The TURN servers among {@link #urls()}, with their own credentials where the URL has them. */
    public List<TurnUrl> turnUrls() {
        List<TurnUrl> out = new ArrayList<>();
        for (String u : urls) {
            if (ServerUrl.parse(u) instanceof TurnUrl t) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    /** {@link #interfacesInclude()} and {@link #interfacesExclude()} as the host gatherer's filter. */
    public InterfaceFilter interfaceFilter() {
        return new InterfaceFilter(interfacesInclude, interfacesExclude);
    }

    /**
     * A builder of the ICE agent's settings with this section's timings and candidate types
     * (everything else at {@link IceConfig}'s defaults). {@link ConfigLoader} builds it once at
     * load time, so {@code iceConfig().build()} does not throw for a loaded configuration.
     */
    public IceConfig.Builder iceConfig() {
        return IceConfig.builder()
                .checkInterval(checkInterval)
                .disconnectedTimeout(disconnectedTimeout)
                .failedTimeout(failedTimeout)
                .keepaliveInterval(keepaliveInterval)
                .candidateTypes(candidateTypes);
    }

    /** The seam record the proxies gather with. */
    public GatherSettings gatherSettings() {
        return new GatherSettings(stunUrls(), turnUrls(), username, password, interfaceFilter(),
                candidateTypes, networkTypes.contains(NetworkType.UDP4), networkTypes.contains(NetworkType.UDP6));
    }

    @Override
    public String toString() {
        List<String> masked = new ArrayList<>();
        for (String u : urls) {
            masked.add(ServerUrl.parse(u).toString());
        }
        return "IceSettings[urls=" + masked + ", candidateTypes=" + candidateTypes + ", networkTypes=" + networkTypes
                + ", checkInterval=" + checkInterval + ", disconnectedTimeout=" + disconnectedTimeout
                + ", failedTimeout=" + failedTimeout + ", keepaliveInterval=" + keepaliveInterval
                + ", interfacesInclude=" + interfacesInclude + ", interfacesExclude=" + interfacesExclude
                + ", username=" + username + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
