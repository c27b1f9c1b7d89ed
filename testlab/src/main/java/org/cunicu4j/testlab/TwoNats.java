package org.cunicu4j.testlab;

/**
 * The common NAT topology (made by {@link Topology#twoNats}): {@code alice} behind
 * {@code natA}, {@code bob} behind {@code natB}, and {@code server} on the public
 * {@code internet}. Addresses: {@code host.ip()}, {@code nat.outsideIp()}.
 */
public record TwoNats(Switch internet, Host server, NatRouter natA, Host alice, NatRouter natB, Host bob) {}
