/**
 * Auto-configuration of an interface (cunīcu's {@code autocfg} feature): addresses derived
 * from public keys ({@link org.cunicu4j.daemon.autocfg.DerivedAddresses}, SipHash-2-4-128 with
 * cunīcu's key, so nodes of both implementations agree), and
 * {@link org.cunicu4j.daemon.autocfg.AutoConfig}, which generates a missing private key,
 * picks a free listen port, assigns the derived addresses, sets the MTU the way
 * {@code wg-quick} detects it, brings the link up and adds every peer's derived addresses
 * to its allowed IPs. The daemon calls it; it holds no threads of its own.
 */
package org.cunicu4j.daemon.autocfg;
