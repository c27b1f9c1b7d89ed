package org.cunicu4j.ice.lab;

import org.cunicu4j.ice.Gatherer;
import org.cunicu4j.ice.LocalCandidate;
import org.cunicu4j.ice.mux.MuxedConn;
import org.cunicu4j.ice.mux.UdpMux;

/**
 * A host candidate on a {@link UdpMux}'s shared port: the agent's conn is registered under
 * its local ufrag when it gathers (and again after a restart). The lab's stand-in until the
 * gather package has its own mux gatherer; the mux belongs to the test.
 */
final class MuxHostGatherer implements Gatherer {
    private final UdpMux mux;
    private volatile MuxedConn conn;

    MuxHostGatherer(UdpMux mux) {
        this.mux = mux;
    }

    @Override
    public void gather(String localUfrag, int component, Sink sink) {
        MuxedConn c = mux.connFor(localUfrag);
        conn = c;
        sink.candidate(new LocalCandidate(LabGatherers.hostCandidate(mux.localAddress(), 65535), c));
        sink.done();
    }

    @Override
    public void close() {
        MuxedConn c = conn;
        if (c != null) {
            c.close();
        }
    }
}
