package org.cunicu4j.wireguard.conn.testing;

import org.cunicu4j.wireguard.conn.Bind;
import org.cunicu4j.wireguard.conn.BindContract;
import org.cunicu4j.wireguard.conn.Endpoint;

/** The Bind contract over {@link MemoryBind}. */
class MemoryBindContractTest extends BindContract {

    @Override
    protected Bind[] pair() {
        return MemoryBind.pair();
    }

    @Override
    protected Endpoint endpointOf(Bind bind, Bind.Opened opened) {
        return ((MemoryBind) bind).endpoint();
    }
}
