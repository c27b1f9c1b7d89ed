/**
 * WireGuard's Noise_IKpsk2 handshake ({@link org.cunicu4j.wireguard.noise.Handshake}), its
 * message formats ({@link org.cunicu4j.wireguard.noise.Messages}), the transport
 * {@link org.cunicu4j.wireguard.noise.Keypair} and the cookie mechanism (MAC1/MAC2,
 * {@link org.cunicu4j.wireguard.noise.CookieChecker} and
 * {@link org.cunicu4j.wireguard.noise.CookieGenerator}).
 */
package org.cunicu4j.wireguard.noise;
