package org.cunicu4j.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version the daemon reports in its status: {@code version} of the resource
 * {@code /cunicu4j.properties} (the CLI's, filled in by Maven), else the jar's implementation
 * version, else "dev".
 */
final class Version {
    private Version() {}

    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/cunicu4j.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        String v = Daemon.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
