/**
 * Module {@code stun}: STUN codec (RFC 8489), binding client and TURN client (RFC 8656).
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.stun;
