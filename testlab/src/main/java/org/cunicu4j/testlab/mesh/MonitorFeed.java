package org.cunicu4j.testlab.mesh;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cunicu4j.testlab.LabProcess;

/**
 * One {@code cunicu4j monitor --json} process and what its events said so far: per remote
 * peer (public key) the last session state and the candidate types of the last selected
 * pair. Much cheaper than polling {@code status} (one JVM for the daemon's whole run).
 * Lines are read from the process's log as they appear; a line that is not JSON is skipped.
 * Used by one thread (the mesh lab's waiting loop).
 */
final class MonitorFeed {
    private static final Pattern TYPE = Pattern.compile("\\((host|srflx|prflx|relay)\\)");

    private final LabProcess process;
    private final LabProcess daemonRun;
    private final Map<String, String> states = new HashMap<>();
    private final Map<String, String> pairs = new HashMap<>();
    private int consumed;

    MonitorFeed(LabProcess process, LabProcess daemonRun) {
        this.process = process;
        this.daemonRun = daemonRun;
    }

    LabProcess process() {
        return process;
    }

    /** The daemon run this monitor watches. */
    LabProcess daemonRun() {
        return daemonRun;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Reads the events printed since the last call; returns true when there were any. */
    boolean refresh() {
        String out = process.output();
        int end = out.lastIndexOf('\n') + 1;
        if (end <= consumed) {
            return false;
        }
        for (String line : out.substring(consumed, end).split("\n")) {
            accept(line);
        }
        consumed = end;
        return true;
    }

    /** Applies one event line (JSON of {@code monitor --json}). */
    void accept(String line) {
        Object o;
        try {
            o = Json.parse(line.strip());
        } catch (IllegalArgumentException e) {
            return;
        }
        if (!(o instanceof Map<?, ?> m) || !(m.get("peer") instanceof String peer)) {
            return;
        }
        String type = String.valueOf(m.get("type")).toLowerCase(Locale.ROOT);
        Object to = m.get("to");
        switch (type) {
            case "peer_state_changed" -> {
                if (to != null) {
                    states.put(peer, to.toString().toUpperCase(Locale.ROOT));
                }
            }
            case "selected_pair_changed" -> {
                String types = to == null ? null : pairTypes(to.toString());
                if (types == null) {
                    pairs.remove(peer);
                } else {
                    pairs.put(peer, types);
                }
            }
            case "peer_removed" -> {
                states.remove(peer);
                pairs.remove(peer);
            }
            default -> { }
        }
    }

    /** {@code "relay ↔ prflx"} from a pair's text such as {@code /198.18.0.10:1 (relay) <-> /198.18.3.1:2 (prflx)}. */
    static String pairTypes(String pair) {
        Matcher m = TYPE.matcher(pair);
        if (!m.find()) {
            return null;
        }
        String local = m.group(1);
        return m.find() ? local + " ↔ " + m.group(1) : null;
    }

    /** The last state the events gave for the session with {@code publicKey} (upper case), or null. */
    String state(String publicKey) {
        return states.get(publicKey);
    }

    /** The last selected pair's candidate types for {@code publicKey}, or null. */
    String pair(String publicKey) {
        return pairs.get(publicKey);
    }
}
