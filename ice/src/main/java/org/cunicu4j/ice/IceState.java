package org.cunicu4j.ice;

/**
 * The agent's connection state.
 *
 * <pre>
 *  NEW --start--> CHECKING --pair selected--> CONNECTED --checks done, both end-of-candidates--> COMPLETED
 *                    |                          |   ^                                              |
 *                    |                  no consent  | consent again                                |
 *                    |                  for disconnected                                           |
 *                    |                          v   |                                              |
 *                    |                      DISCONNECTED <------------------------------------------
 *                    |                          |
 *                    +-- all pairs failed, or --+-- no consent for failed --> FAILED
 *                        no valid pair within failed
 *  any state --restart()--> NEW (not started) or CHECKING;  any state --close()--> CLOSED (final)
 * </pre>
 */
public enum IceState {
    NEW,
    CHECKING,
    CONNECTED,
    COMPLETED,
    DISCONNECTED,
    FAILED,
    CLOSED;

    /** True for CONNECTED and COMPLETED: a selected pair with fresh consent. */
    public boolean isConnected() {
        return this == CONNECTED || this == COMPLETED;
    }
}
