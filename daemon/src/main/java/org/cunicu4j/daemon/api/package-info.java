/**
 * What the daemon tells the world: {@link org.cunicu4j.daemon.api.DaemonApi} (status, an
 * event stream, sync, restart a peer, shutdown) and its value types. The control socket
 * serves exactly this API; the CLI's {@code status} and {@code monitor} render it.
 */
package org.cunicu4j.daemon.api;
