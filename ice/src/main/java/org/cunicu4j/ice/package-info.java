/**
 * Module {@code ice}: ICE agent (RFC 8445, trickle, consent freshness) and UdpMux.
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.ice;
