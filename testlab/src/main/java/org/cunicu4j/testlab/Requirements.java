package org.cunicu4j.testlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a test needs from the machine, checked without side effects. */
public final class Requirements {
    private Requirements() {}

    /** True when the CI variable says this is a CI run: requirements must hold there. */
    public static boolean isCi() {
        String ci = System.getenv("CI");
        return ci != null && (ci.equalsIgnoreCase("true") || ci.equals("1"));
    }

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;
    private static final int CAP_SYS_ADMIN = 21;

    /**
     * True when this process runs with effective uid 0 and holds what the lab needs of
     * root: CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN (root in an unprivileged
     * container lacks them, and its tests must skip rather than error).
     */
    public static boolean isRoot() {
        boolean uid0 = false;
        long caps = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid0 = line.split("\\s+")[2].equals("0");
                } else if (line.startsWith("CapEff:")) {
                    caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        long needed = (1L << CAP_NET_ADMIN) | (1L << CAP_NET_RAW) | (1L << CAP_SYS_ADMIN);
        return uid0 && (caps & needed) == needed;
    }

    /** The executable {@code tool} on PATH, /usr/sbin or /sbin, or null. */
    public static Path findTool(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
