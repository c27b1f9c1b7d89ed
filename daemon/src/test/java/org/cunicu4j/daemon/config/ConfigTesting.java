package org.cunicu4j.daemon.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Helpers shared by the config tests. */
final class ConfigTesting {
    static final String PRIV = "Y9Em4uRiMIyhHtDUhlZoz1zShEU5o9blXdq+IXnsxaM=";
    static final String BOB = "69FRgrCpL7abWzc3WhT4VUTBHVUKE98NX2N7FwZvPp4=";
    static final String PSK = "hDEuWySmy0gIjPQPeUQVIW3XWfxsfHJULgdG0neJmks=";
    static final String CAROL = "H/yxFrOeA9scV4goUv+SFmO2HJSUUcC0iMTVHnc7HWA=";

    private ConfigTesting() {}

    /** Writes {@code yaml} to {@code dir/name} with mode {@code perms} (e.g. "rw-------"). */
    static Path write(Path dir, String name, String yaml, String perms) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, yaml);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documented example shipped in the daemon's resources. */
    static String example() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("example.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
