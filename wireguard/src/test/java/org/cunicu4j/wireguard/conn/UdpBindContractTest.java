package org.cunicu4j.wireguard.conn;

/** {@link BindContract} over {@link UdpBind} on IPv4 loopback. */
class UdpBindContractTest extends BindContract {

    @Override
    protected Bind[] pair() {
        return new Bind[] {new UdpBind(), new UdpBind()};
    }

    @Override
    protected Endpoint endpointOf(Bind bind, Bind.Opened opened) {
        return bind.parseEndpoint("127.0.0.1:" + opened.port());
    }
}
