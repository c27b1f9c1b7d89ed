/**
 * The cryptographic primitives of WireGuard: BLAKE2s hash, HMAC and keyed MAC and the Noise
 * KDF ({@link org.cunicu4j.wireguard.crypto.Blake2s}), X25519 from the JDK, ChaCha20-Poly1305
 * from the JDK with WireGuard's counter nonce, XChaCha20-Poly1305 for cookie replies
 * (HChaCha20 here, the AEAD from the JDK), and TAI64N timestamps.
 */
package org.cunicu4j.wireguard.crypto;
