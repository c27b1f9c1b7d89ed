package org.cunicu4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@code cunicu4j demo} needs from the machine: root (namespaces, nftables, TUN
 * devices), {@code /dev/net/tun}, and the tools the lab runs, each with the Debian package
 * that has it. {@link #problems} lists what is missing with how to fix it. Stateless.
 */
final class DemoPrerequisites {
    /** Tool → Debian package, for every device kind. */
    static final Map<String, String> TOOLS = tools(false);

    private DemoPrerequisites() {}

    /** The tools (and their packages) needed with our own devices, or with wireguard-go devices. */
    static Map<String, String> tools(boolean wireguardGo) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("ip", "iproute2");
        t.put("ss", "iproute2");
        t.put("nft", "nftables");
        t.put("ping", "iputils-ping");
        t.put("turnserver", "coturn");
        if (wireguardGo) {
            t.put("wireguard-go", "wireguard-go");
            t.put("wg", "wireguard-tools");
        }
        return t;
    }

    /**
     * Everything missing, one line each, ending with the command that installs the missing
     * packages; empty when the demo can run.
     *
     * @param root whether this process has root's capabilities
     * @param tun whether {@code /dev/net/tun} exists
     * @param findTool a tool's path, or null when it is not installed
     */
    static List<String> problems(boolean root, boolean tun, boolean wireguardGo, Function<String, Path> findTool) {
        List<String> out = new ArrayList<>();
        if (!root) {
            out.add("not root: the demo makes network namespaces, nftables NATs and TUN devices; run it as root"
                    + " (e.g. sudo ./dev.sh demo)");
        }
        if (!tun) {
            out.add("/dev/net/tun is missing: load the tun module (modprobe tun) or give the container the device");
        }
        Set<String> packages = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : tools(wireguardGo).entrySet()) {
            if (findTool.apply(e.getKey()) == null) {
                out.add("missing tool " + e.getKey() + " (Debian package " + e.getValue() + ")");
                packages.add(e.getValue());
            }
        }
        if (!packages.isEmpty()) {
            out.add("install with: apt-get install " + String.join(" ", packages) + "   (or: ./dev.sh deps)");
        }
        return out;
    }

    /** Whether the TUN device node exists. */
    static boolean tunPresent() {
        return Files.exists(Path.of("/dev/net/tun"));
    }
}
