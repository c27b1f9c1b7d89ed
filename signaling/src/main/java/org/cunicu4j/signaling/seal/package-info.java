/**
 * Sealing of signaling messages as cunīcu does it: NaCl {@code crypto_box} (X25519 +
 * XSalsa20-Poly1305) with the peers' WireGuard keys and a random 24-byte nonce
 * ({@link org.cunicu4j.signaling.seal.SealedBox}, {@link org.cunicu4j.signaling.seal.Sealer});
 * opening checks the envelope's (recipient, sender) against the subscription's
 * {@link org.cunicu4j.signaling.seal.KeyPair} (an all-zero sender is the wildcard) and
 * returns a typed {@link org.cunicu4j.signaling.seal.OpenResult}, whose rejections are
 * counted per {@link org.cunicu4j.signaling.seal.Rejection} in
 * {@link org.cunicu4j.signaling.seal.SealStats}.
 */
package org.cunicu4j.signaling.seal;
