package org.cunicu4j.testlab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * iperf3 between lab hosts: a server in one host, a client in another that returns the
 * measured throughput from {@code iperf3 -J}. Stateless; safe from any thread.
 */
public final class Iperf3 {
    /** The standard iperf3 port. */
    public static final int DEFAULT_PORT = 5201;

    private static final Pattern RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern SUM =
            Pattern.compile("\"sum\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");

    private Iperf3() {}

    /** Starts {@code iperf3 -s} on {@code port} in {@code host} and waits until it listens. */
    public static LabProcess server(Host host, int port) {
        LabProcess p = host.start("iperf3", "-s", "-p", Integer.toString(port));
        host.awaitTcpListening(port, Duration.ofSeconds(10));
        return p;
    }

    /**
     * Runs a TCP test from {@code host} to {@code serverIp:port} for {@code duration} and
     * returns the bits per second the receiver counted. {@code extraArgs} go to iperf3 as
     * given (e.g. {@code "-R"}, {@code "-u", "-b", "100M"}; UDP results are the sender's sum).
     */
    public static double client(Host host, String serverIp, int port, Duration duration, String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of("iperf3", "-J", "-c", serverIp, "-p", Integer.toString(port),
                "-t", Long.toString(Math.max(1, duration.toSeconds()))));
        cmd.addAll(List.of(extraArgs));
        Exec.Result r = host.run(duration.plusSeconds(20), cmd.toArray(String[]::new));
        return bitsPerSecond(r.stdout());
    }

    /** The receiver's bits per second from an {@code iperf3 -J} report (the UDP "sum" otherwise). */
    static double bitsPerSecond(String json) {
        Matcher m = RECEIVED.matcher(json);
        if (!m.find()) {
            m = SUM.matcher(json);
            if (!m.find()) {
                throw new LabException("no bits_per_second in iperf3 output:\n" + json);
            }
        }
        return Double.parseDouble(m.group(1));
    }
}
