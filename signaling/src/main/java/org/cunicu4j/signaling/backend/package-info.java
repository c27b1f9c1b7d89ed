/**
 * Signaling backends: the SPI ({@link org.cunicu4j.signaling.backend.SignalingBackend},
 * {@link org.cunicu4j.signaling.backend.Subscription},
 * {@link org.cunicu4j.signaling.backend.MessageHandler}), selection by URL
 * ({@link org.cunicu4j.signaling.backend.Backends} with pluggable
 * {@link org.cunicu4j.signaling.backend.BackendFactory}s), the in-process hub, the
 * multi-backend that fans out over several, and
 * {@link org.cunicu4j.signaling.backend.SubscriptionRegistry}, which implementations use to
 * group subscriptions by recipient topic and to open, count and dispatch what they receive.
 */
package org.cunicu4j.signaling.backend;
