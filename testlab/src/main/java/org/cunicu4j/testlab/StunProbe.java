package org.cunicu4j.testlab;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a STUN server, from inside a lab host, which address it saw: coturn's own clients
 * ({@code turnutils_stunclient}, {@code turnutils_natdiscovery}) run in the host and their
 * XOR-MAPPED-ADDRESS is parsed. Stateless; safe from any thread.
 */
public final class StunProbe {
    private static final Pattern REFLEXIVE = Pattern.compile("UDP reflexive addr:\\s*([0-9.]+):(\\d+)");
    private static final Pattern VERDICT = Pattern.compile("NAT with ([A-Za-z -]+) (Mapping|Filtering)!");
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private StunProbe() {}

    /** What {@code server:port} saw as the source of a binding request from {@code host} (IPv4). */
    public static InetSocketAddress mappedAddress(Host host, String server, int port) {
        Exec.Result r = host.run(TIMEOUT, "turnutils_stunclient", "-p", Integer.toString(port), server);
        return firstReflexive(r);
    }

    /**
     * Like {@link #mappedAddress(Host, String, int)} but from the fixed local socket
     * {@code localIp:localPort}, so that several probes from the same socket can be compared
     * (the way to see a NAT's mapping behaviour).
     */
    public static InetSocketAddress mappedAddress(Host host, String localIp, int localPort, String server, int port) {
        Exec.Result r = host.run(TIMEOUT, "turnutils_natdiscovery", "-m", "-L", localIp,
                "-l", Integer.toString(localPort), "-p", Integer.toString(port), server);
        return firstReflexive(r);
    }

    /**
     * RFC 5780 mapping behaviour discovery against a coturn listening on two addresses:
     * returns coturn's verdict, e.g. {@code "Endpoint Independent"} or
     * {@code "Address and Port Dependent"}.
     */
    public static String mappingBehaviour(Host host, String server, int port) {
        return verdict(host.run(TIMEOUT, "turnutils_natdiscovery", "-m", "-p", Integer.toString(port), server));
    }

    /** RFC 5780 filtering behaviour discovery; returns e.g. {@code "Address and Port Dependent"}. */
    public static String filteringBehaviour(Host host, String server, int port) {
        return verdict(host.run(TIMEOUT, "turnutils_natdiscovery", "-f", "-p", Integer.toString(port), server));
    }

    /** Every reflexive address a client printed, in order (coturn prints some twice). */
    static List<InetSocketAddress> reflexiveAddresses(String output) {
        List<InetSocketAddress> all = new ArrayList<>();
        Matcher m = REFLEXIVE.matcher(output);
        while (m.find()) {
            all.add(new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
        }
        return all;
    }

    private static InetSocketAddress firstReflexive(Exec.Result r) {
        List<InetSocketAddress> all = reflexiveAddresses(r.stdout());
        if (all.isEmpty()) {
            throw new LabException(String.join(" ", r.command()) + ": no reflexive address in:\n" + r.stdout());
        }
        return all.getFirst();
    }

    private static String verdict(Exec.Result r) {
        Matcher m = VERDICT.matcher(r.stdout());
        if (!m.find()) {
            throw new LabException(String.join(" ", r.command()) + ": no NAT verdict in:\n" + r.stdout());
        }
        return m.group(1);
    }
}
