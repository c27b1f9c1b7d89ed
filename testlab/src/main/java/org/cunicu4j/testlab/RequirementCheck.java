package org.cunicu4j.testlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The decision of {@link RequirementsExtension}, as a pure function of what a test needs and
 * what the machine has: run, skip (laptop) or fail (CI), with the reason.
 */
public record RequirementCheck(Outcome outcome, String reason) {

    /** What happens to the test. */
    public enum Outcome {
        RUN, SKIP, FAIL
    }

    /** Debian package that provides each tool, for the message. */
    static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("ip", "iproute2"),
            Map.entry("ss", "iproute2"),
            Map.entry("nft", "nftables"),
            Map.entry("iptables", "iptables"),
            Map.entry("turnserver", "coturn"),
            Map.entry("turnutils_stunclient", "coturn"),
            Map.entry("turnutils_natdiscovery", "coturn"),
            Map.entry("turnutils_uclient", "coturn"),
            Map.entry("wireguard-go", "wireguard-go"),
            Map.entry("wg", "wireguard-tools"),
            Map.entry("iperf3", "iperf3"),
            Map.entry("tcpdump", "tcpdump"),
            Map.entry("ping", "iputils-ping"),
            Map.entry("sleep", "coreutils"));

    /**
     * Decides for a test that needs root ({@code needsRoot}) and {@code tools}, on a machine
     * where the process {@code isRoot}, CI is {@code isCi}, and {@code hasTool} says which
     * tools exist.
     */
    public static RequirementCheck evaluate(boolean needsRoot, List<String> tools, boolean isRoot, boolean isCi,
            Predicate<String> hasTool) {
        List<String> missing = new ArrayList<>();
        if (needsRoot && !isRoot) {
            missing.add("root with CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN (run the tests as root outside an unprivileged container: they create network namespaces)");
        }
        for (String tool : tools) {
            if (!hasTool.test(tool)) {
                missing.add("the tool '" + tool + "' (apt-get install " + PACKAGES.getOrDefault(tool, tool) + ")");
            }
        }
        if (missing.isEmpty()) {
            return new RequirementCheck(Outcome.RUN, "");
        }
        String reason = "needs " + String.join(", ", missing);
        return isCi
                ? new RequirementCheck(Outcome.FAIL, reason + "; CI=true, so this fails instead of skipping")
                : new RequirementCheck(Outcome.SKIP, reason);
    }
}
