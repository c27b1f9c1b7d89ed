package org.cunicu4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version lines of {@code cunicu4j version} and {@code --version}: our version (from
 * the Maven-filtered resource {@code cunicu4j.properties}), the Java runtime and the OS.
 */
public final class VersionInfo implements IVersionProvider {

    /** Our version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} outside a Maven build. */
    public static String version() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("/cunicu4j.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cunicu4j.properties", e);
        }
    }

    /** Three lines: cunicu4j, Java and OS. */
    public static List<String> lines() {
        return List.of(
                "cunicu4j " + version(),
                "Java " + System.getProperty("java.runtime.version", System.getProperty("java.version"))
                        + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"),
                "OS " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                        + " " + System.getProperty("os.arch"));
    }

    @Override
    public String[] getVersion() {
        return lines().toArray(String[]::new);
    }
}
