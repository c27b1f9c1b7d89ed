package org.cunicu4j.testlab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A host of a lab: one network namespace, with {@code lo} up. Commands run in it through
 * {@code ip netns exec}; the lab owns the namespace and deletes it on close. Thread-safe.
 */
public final class Host {
    private final Lab lab;
    private final String name;
    private final String netns;
    private final List<String> addresses = new ArrayList<>();
    private int nextInterface;

    Host(Lab lab, String name, String netns) {
        this.lab = lab;
        this.name = name;
        this.netns = netns;
    }

    /** The short name given to {@link Lab#host}. */
    public String name() {
        return name;
    }

    /** The namespace's name, as {@code ip netns} and {@code NetNs.call} know it. */
    public String netns() {
        return netns;
    }

    public Lab lab() {
        return lab;
    }

    /** Every address the lab gave this host, in CIDR notation, in the order given. */
    public synchronized List<String> addresses() {
        return List.copyOf(addresses);
    }

    /** The first IPv4 address the lab gave this host, without prefix length. */
    public synchronized String ip() {
        for (String cidr : addresses) {
            if (!cidr.contains(":")) {
                return cidr.substring(0, cidr.indexOf('/'));
            }
        }
        throw new IllegalStateException(this + " has no IPv4 address");
    }

    /** Adds an address (CIDR) to interface {@code ifname} of this host, e.g. a second public IP. */
    public void addAddress(String ifname, String cidr) {
        Link.configure(this, ifname, cidr);
    }

    synchronized void recordAddress(String cidr) {
        addresses.add(cidr);
    }

    /** Sets a sysctl of this host's namespace, e.g. {@code ("net.ipv4.ip_forward", "1")}. */
    public void sysctl(String key, String value) {
        String file = "/proc/sys/" + key.replace('.', '/');
        run("sh", "-c", "echo " + value + " > " + file);
    }

    /** Waits until a UDP socket of this host is bound to {@code port} (on any address). */
    public void awaitUdpBound(int port, Duration timeout) {
        awaitSocket("-Hlun", port, timeout);
    }

    /** Waits until a TCP socket of this host listens on {@code port} (on any address). */
    public void awaitTcpListening(int port, Duration timeout) {
        awaitSocket("-Hltn", port, timeout);
    }

    private void awaitSocket(String ssFlags, int port, Duration timeout) {
        Waiter.until("a socket on port " + port + " in " + this, timeout,
                () -> !exec("ss", ssFlags, "sport = :" + port).stdout().isBlank());
    }

    /** A fresh interface name in this host: eth0, eth1, ... */
    synchronized String nextInterfaceName() {
        return "eth" + nextInterface++;
    }

    /** Runs a command in this host and returns its result, whatever the exit code. */
    public Exec.Result exec(String... command) {
        return Exec.run(Exec.DEFAULT_TIMEOUT, inNetns(command));
    }

    /** Runs a command in this host; throws {@link LabException} if it exits non-zero. */
    public Exec.Result run(String... command) {
        return Exec.run(Exec.DEFAULT_TIMEOUT, inNetns(command)).orThrow();
    }

    /** Runs a command in this host with a deadline; throws if it exits non-zero or times out. */
    public Exec.Result run(Duration timeout, String... command) {
        return Exec.run(timeout, inNetns(command)).orThrow();
    }

    /** Starts a long-running process in this host; the lab stops it on close. */
    public LabProcess start(String... command) {
        return lab.start(this, inNetns(command));
    }

    List<String> inNetns(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return full;
    }

    @Override
    public String toString() {
        return name + " (netns " + netns + ")";
    }
}
