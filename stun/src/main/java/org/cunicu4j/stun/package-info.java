/**
 * The STUN codec (RFC 8489, with the attributes of RFC 5780, RFC 8445 and RFC 8656):
 * {@link org.cunicu4j.stun.StunMessage} parses a message as a view over the caller's
 * buffer (nothing copied, attribute values read on demand) and
 * {@link org.cunicu4j.stun.StunMessageBuilder} writes one, with MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT; {@link org.cunicu4j.stun.StunCredentials}
 * derives short-term and long-term keys. Everything here is free of I/O; transactions
 * live in {@code org.cunicu4j.stun.client}.
 */
package org.cunicu4j.stun;
