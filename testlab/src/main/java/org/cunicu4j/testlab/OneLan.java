package org.cunicu4j.testlab;

/**
 * Two hosts on one switch, nothing else (made by {@link PeerTopologies#oneLan} or
 * {@link PeerTopologies#oneLanIpv6}). Addresses: {@code host.addresses()}.
 */
public record OneLan(Switch lan, Host alice, Host bob) {}
