/**
 * The network test lab: {@link org.cunicu4j.testlab.Lab} builds topologies of network
 * namespaces (hosts, veth links, {@link org.cunicu4j.testlab.Switch switches}, NAT routers
 * with endpoint-independent or symmetric mapping, a public internet in 198.18.0.0/15;
 * {@link org.cunicu4j.testlab.Topology} for the common two-NAT case) and runs real servers in
 * them: {@link org.cunicu4j.testlab.Coturn}, {@link org.cunicu4j.testlab.WireguardGo},
 * {@link org.cunicu4j.testlab.Iperf3}, with {@link org.cunicu4j.testlab.StunProbe} to ask coturn
 * what a host looks like from outside. Everything a lab starts is stopped by PID and removed
 * on close, by a shutdown hook, or by the sweep of the next lab;
 * {@link org.cunicu4j.testlab.RequiresRoot} and {@link org.cunicu4j.testlab.RequiresTools}
 * skip a test on a laptop and fail it under {@code CI=true}.
 */
package org.cunicu4j.testlab;
