package org.cunicu4j.e2e.daemon;

import java.util.List;
import java.util.Locale;

/** Order statistics for the benchmarks' repeated runs (nearest rank). Stateless. */
public final class Stats {
    private Stats() {}

    /** The nearest-rank {@code p}-th percentile of {@code values} (need not be sorted); NaN when empty. */
    public static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    /** The median (nearest rank: the lower middle of an even count). */
    public static double median(List<Double> values) {
        return percentile(values, 50);
    }

    /** {@code x / base} with two decimals, or "-" when the base is not positive. */
    public static String ratio(double x, double base) {
        return base > 0 && !Double.isNaN(x) ? String.format(Locale.ROOT, "%.2f", x / base) : "-";
    }

    /** The machine's load average (the first three fields of /proc/loadavg), or "?". */
    public static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
