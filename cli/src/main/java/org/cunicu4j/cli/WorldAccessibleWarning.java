package org.cunicu4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The warning {@code wg genkey} gives when standard output is a regular file that others
 * may access (the umask let the shell create it so): a private key should not be written
 * there.
 */
final class WorldAccessibleWarning {

    static final String MESSAGE =
            "Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.";

    private WorldAccessibleWarning() {}

    /** Prints {@link #MESSAGE} to {@code err} when stdout is a regular file others can access. */
    static void check(Stdio stdio, PrintWriter err) {
        stdio.stdoutLink().filter(WorldAccessibleWarning::isWorldAccessibleFile).ifPresent(p -> {
            err.println(MESSAGE);
            err.flush();
        });
    }

    /** True when {@code path} (followed) is a regular file with any permission bit for others. */
    static boolean isWorldAccessibleFile(Path path) {
        try {
            if (!Files.isRegularFile(path)) {
                return false;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
            return perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
