/**
 * The anti-replay window of WireGuard's transport messages
 * ({@link org.cunicu4j.wireguard.replay.ReplayWindow}, RFC 6479 style).
 */
package org.cunicu4j.wireguard.replay;
