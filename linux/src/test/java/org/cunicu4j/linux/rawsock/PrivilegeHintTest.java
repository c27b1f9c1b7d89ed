package org.cunicu4j.linux.rawsock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.cunicu4j.testlab.Exec;
import org.cunicu4j.testlab.RequiresRoot;
import org.cunicu4j.testlab.RequiresTools;
import org.junit.jupiter.api.Test;

/**
 * The capability hints, from a real kernel refusal: {@link PrivilegeProbe} runs in a child
 * JVM started by {@code setpriv} without CAP_NET_RAW and CAP_NET_ADMIN.
 */
@RequiresRoot
@RequiresTools({"setpriv"})
class PrivilegeHintTest {

    @Test
    void withoutCapabilitiesTheErrorsSayWhichCapabilityIsMissing() {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Exec.Result r = Exec.run(Duration.ofSeconds(30), List.of("setpriv",
                "--bounding-set=-net_raw,-net_admin", "--inh-caps=-net_raw,-net_admin", "--",
                // Without these the child JVM may print "Picked up JAVA_TOOL_OPTIONS: ..." on stderr.
                "env", "-u", "JAVA_TOOL_OPTIONS", "-u", "_JAVA_OPTIONS", "-u", "JDK_JAVA_OPTIONS",
                java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                PrivilegeProbe.class.getName()));
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout().lines()).containsExactly(
                "socket(AF_INET, SOCK_RAW, IPPROTO_UDP): EPERM (Operation not permitted)"
                        + " — raw sockets need CAP_NET_RAW (run as root or grant the capability)",
                "socket(AF_INET6, SOCK_RAW, IPPROTO_UDP): EPERM (Operation not permitted)"
                        + " — raw sockets need CAP_NET_RAW (run as root or grant the capability)",
                "setsockopt(N, SOL_SOCKET, SO_RCVBUFFORCE, 4194304): EPERM (Operation not permitted) — needs CAP_NET_ADMIN",
                "setsockopt(N, SOL_SOCKET, SO_MARK, 51820): EPERM (Operation not permitted) — needs CAP_NET_ADMIN");
    }
}
