package org.cunicu4j.testlab;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Checks {@link RequiresRoot} and {@link RequiresTools}: on a laptop a missing
 * requirement skips the test with the reason; when {@code CI=true} it fails the test, so
 * that CI never passes by skipping.
 */
public final class RequirementsExtension implements BeforeAllCallback, BeforeEachCallback {

    /** Debian package that provides each tool, for the skip message. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("ip", "iproute2"),
            Map.entry("nft", "nftables"),
            Map.entry("iptables", "iptables"),
            Map.entry("turnserver", "coturn"),
            Map.entry("turnutils_stunclient", "coturn"),
            Map.entry("turnutils_uclient", "coturn"),
            Map.entry("wireguard-go", "wireguard-go"),
            Map.entry("wg", "wireguard-tools"),
            Map.entry("iperf3", "iperf3"),
            Map.entry("tcpdump", "tcpdump"),
            Map.entry("ping", "iputils-ping"));

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context.getRequiredTestClass());
        context.getTestMethod().ifPresent(this::check);
    }

    private void check(AnnotatedElement element) {
        List<String> missing = new ArrayList<>();
        if (AnnotationSupport.isAnnotated(element, RequiresRoot.class) && !Requirements.isRoot()) {
            missing.add("root (run the tests as root: they create network namespaces)");
        }
        Optional<RequiresTools> tools = AnnotationSupport.findAnnotation(element, RequiresTools.class);
        tools.ifPresent(t -> {
            for (String tool : t.value()) {
                if (Requirements.findTool(tool) == null) {
                    missing.add("the tool '" + tool + "' (apt-get install "
                            + PACKAGES.getOrDefault(tool, tool) + ")");
                }
            }
        });
        if (missing.isEmpty()) {
            return;
        }
        String reason = "needs " + String.join(", ", missing);
        if (Requirements.isCi()) {
            throw new AssertionError(reason + "; CI=true, so this fails instead of skipping");
        }
        Assumptions.abort(reason);
    }
}
