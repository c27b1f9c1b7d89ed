package org.cunicu4j.testlab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A host of a lab: one network namespace, with {@code lo} up. */
public final class Host {
    private final Lab lab;
    private final String name;
    private final String netns;
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
