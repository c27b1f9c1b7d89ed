/** Per-source-IP rate limiting of handshake messages ({@link org.cunicu4j.wireguard.ratelimit.RateLimiter}). */
package org.cunicu4j.wireguard.ratelimit;
