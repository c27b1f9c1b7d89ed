package org.cunicu4j.daemon.hooks;

import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * Runs one configured hook for one event, on the hook's own worker thread. An implementation
 * logs what went wrong itself and returns how the run ended; it never throws, and it returns
 * within its timeout plus a short grace period (or soon after an interrupt).
 */
interface HookRunner {
    /** How the hook appears in logs and stats (never a secret: no URL query, no headers). */
    String name();

    /**
     * @param event the event
     * @param json the event as {@link EventJson} renders it
     */
    Outcome run(DaemonEvent event, String json) throws InterruptedException;
}
