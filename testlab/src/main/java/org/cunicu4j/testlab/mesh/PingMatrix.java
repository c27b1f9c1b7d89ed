package org.cunicu4j.testlab.mesh;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of pinging every peer's tunnel address from every other peer's namespace: the
 * round-trip time in milliseconds of each ordered pair, or a failure. Immutable.
 *
 * @param names the peers, in order (rows: from, columns: to)
 * @param rttMillis {@code rttMillis[from][to]}: the RTT, or a negative number when the ping failed
 *     (the diagonal is 0 and not pinged)
 */
public record PingMatrix(List<String> names, double[][] rttMillis) {

    public PingMatrix {
        names = List.copyOf(names);
        double[][] copy = new double[rttMillis.length][];
        for (int i = 0; i < rttMillis.length; i++) {
            copy[i] = rttMillis[i].clone();
        }
        rttMillis = copy;
    }

    /** True when {@code from} reached {@code to} (always true on the diagonal). */
    public boolean ok(int from, int to) {
        return from == to || rttMillis[from][to] >= 0;
    }

    /** True when every ordered pair pinged. */
    public boolean allOk() {
        return failures().isEmpty();
    }

    /** The ordered pairs that failed, as {@code "alice → carol"}. */
    public List<String> failures() {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                if (!ok(i, j)) {
                    failed.add(names.get(i) + " → " + names.get(j));
                }
            }
        }
        return failed;
    }

    /** A table: one row per source, one column per destination, RTTs in ms or {@code FAIL}. */
    public String format() {
        int w = Math.max(10, names.stream().mapToInt(String::length).max().orElse(0) + 2);
        StringBuilder sb = new StringBuilder();
        sb.append(pad("from \\ to", w));
        names.forEach(n -> sb.append(pad(n, w)));
        sb.append('\n');
        for (int i = 0; i < names.size(); i++) {
            sb.append(pad(names.get(i), w));
            for (int j = 0; j < names.size(); j++) {
                String cell = i == j ? "-" : ok(i, j) ? String.format(java.util.Locale.ROOT, "%.2f ms", rttMillis[i][j]) : "FAIL";
                sb.append(pad(cell, w));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
    }

    @Override
    public String toString() {
        return format();
    }
}
