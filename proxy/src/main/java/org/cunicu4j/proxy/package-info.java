/**
 * Module {@code proxy}: The five ways WireGuard and ICE share a UDP port.
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.proxy;
