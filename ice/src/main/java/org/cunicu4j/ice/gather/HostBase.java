package org.cunicu4j.ice.gather;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;

/**
 * A host candidate's base as a {@link HostGatherer} made it: the candidate address, the
 * mux that serves it and the agent's conn on that mux (the base). Server-reflexive
 * discovery goes through {@code mux}.
 *
 * @param address the host candidate's address (a local IP, the mux's port)
 * @param ifname the interface the IP belongs to
 * @param localPreference the local preference of the host candidate (see {@link Priorities})
 */
public record HostBase(InetSocketAddress address, String ifname, int localPreference, UdpMux mux, MuxedConn base) {
    public HostBase {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mux, "mux");
        Objects.requireNonNull(base, "base");
    }
}
