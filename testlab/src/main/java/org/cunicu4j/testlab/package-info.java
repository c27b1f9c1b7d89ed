/**
 * The network test lab: {@link org.cunicu4j.testlab.Lab} builds topologies of network
 * namespaces (hosts, veth links, switches, NAT routers) and runs real servers in them;
 * {@link org.cunicu4j.testlab.RequiresRoot} and {@link org.cunicu4j.testlab.RequiresTools}
 * skip a test on a laptop and fail it under {@code CI=true}.
 */
package org.cunicu4j.testlab;
