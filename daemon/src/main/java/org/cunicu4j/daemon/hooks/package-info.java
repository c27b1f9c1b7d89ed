/**
 * Hooks (cunīcu's {@code hooks}): {@link org.cunicu4j.daemon.hooks.Hooks} runs configured
 * {@code exec} and {@code web} hooks for interface, peer and connection-state events, each
 * hook on its own virtual thread behind a bounded queue, never on the daemon's event thread.
 *
 * <p><b>Exec hooks</b> run {@code COMMAND CONFIGURED_ARGS... EVENT_ARGS...} where the event's
 * arguments are, as cunīcu passes them:
 * <pre>
 * added interface IFNAME                                             (interface_added)
 * removed interface IFNAME                                           (interface_removed)
 * added peer IFNAME PUBLIC_KEY                                       (peer_added)
 * removed peer IFNAME PUBLIC_KEY                                     (peer_removed)
 * changed peer connection-state IFNAME PUBLIC_KEY NEW_STATE OLD_STATE (peer_state_changed)
 * </pre>
 * with keys in base64 and states in lower case ({@code idle}, {@code connecting},
 * {@code checking}, {@code connected}, {@code disconnected}, {@code failed}, {@code closed}).
 * The event's JSON and a newline arrive on stdin (unless {@code stdin: false}); the configured
 * {@code env} is added to the daemon's environment less its {@code CUNICU_*} variables; stdout
 * and stderr go to a temporary file whose first 16 KiB are logged at INFO once the hook has
 * exited (a background child the hook leaves behind writes into a deleted file); a non-zero
 * exit is logged as a warning; a run longer than its timeout is killed by PID with the
 * descendants it has then (SIGTERM, SIGKILL a second later).
 *
 * <p><b>Web hooks</b> send the same JSON as the body of a {@code POST} (or the configured
 * method) with {@code Content-Type: application/json}; the whole exchange, response body
 * included, must end within the hook's timeout; a non-2xx status, an error or a timeout is
 * logged as a warning.
 *
 * <p><b>The JSON</b> is one object, the same as a line of {@code cunicu4j monitor --json}:
 * {@code {"time":"2026-11-25T15:20:11.123Z","type":"peer_state_changed","interface":"wg0",
 * "peer":"BASE64","from":"CHECKING","to":"CONNECTED","message":"peer AbCdEfGh CHECKING → CONNECTED"}}
 * — {@code time} ISO-8601 UTC; {@code type} one of {@code interface_added},
 * {@code interface_removed}, {@code peer_added}, {@code peer_removed},
 * {@code peer_state_changed}; {@code interface} the interface name; {@code peer} the peer's
 * public key (null for interface events); {@code from}/{@code to} the old and new state
 * names as the daemon reports them (upper case; null unless {@code peer_state_changed});
 * {@code message} a sentence for humans. No private key is ever part of it.
 */
package org.cunicu4j.daemon.hooks;
