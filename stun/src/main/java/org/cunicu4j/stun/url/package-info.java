/**
 * STUN and TURN server URLs (RFC 7064, RFC 7065): {@code stun:}, {@code stuns:},
 * {@code turn:} and {@code turns:} with host, port, transport and (for TURN) the
 * long-term credentials in the user-info part, parsed into immutable records whose
 * parse errors name the URL and what is wrong with it.
 */
package org.cunicu4j.stun.url;
