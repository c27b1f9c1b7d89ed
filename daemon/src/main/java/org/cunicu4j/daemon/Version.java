package org.cunicu4j.daemon;

/** The version the daemon reports in its status: the jar's implementation version, else "dev". */
final class Version {
    private Version() {}

    static String get() {
        String v = Daemon.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
