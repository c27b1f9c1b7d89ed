/**
 * Module {@code daemon}: The daemon: config, watcher, per-peer sessions, features, control API.
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.daemon;
