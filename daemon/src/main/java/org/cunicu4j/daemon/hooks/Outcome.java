package org.cunicu4j.daemon.hooks;

/** How one run of a hook ended. */
enum Outcome {
    /** Exit code 0, or a 2xx response. */
    OK,
    /** A non-zero exit code, a non-2xx response, or it could not be started or sent. */
    FAILED,
    /** It did not finish within its timeout (an exec hook's process tree was killed). */
    TIMED_OUT
}
