package org.cunicu4j.daemon.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as cunīcu writes them: Go's {@code time.ParseDuration} syntax ({@code 200ms},
 * {@code 5s}, {@code 1m}, {@code 1h30m}, {@code 1.5s}; units ns, us, µs, ms, s, m, h) or a
 * bare whole number of seconds. Negative durations are refused. Stateless.
 */
final class Durations {
    /** Ten years: far beyond any sensible interval, far below overflow. */
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(10L * 366 * 24 * 3600).multiply(BigDecimal.valueOf(1_000_000_000L));

    private Durations() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException saying what was expected
     */
    static Duration parse(String text) {
        String s = text.strip();
        if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // the same ten-year cap as the unit syntax
            if (s.length() > 12 || BigDecimal.valueOf(Long.parseLong(s)).multiply(BigDecimal.valueOf(1_000_000_000L))
                    .compareTo(MAX_NANOS) > 0) {
                throw new IllegalArgumentException("'" + text + "' seconds is longer than ten years");
            }
            return Duration.ofSeconds(Long.parseLong(s));
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) && s.charAt(i) < 128 || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unit = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw invalid(text);
            };
            nanos = nanos.add(new BigDecimal(number.endsWith(".") ? number + "0" : number).multiply(BigDecimal.valueOf(unit)));
            if (nanos.compareTo(MAX_NANOS) > 0) {
                throw new IllegalArgumentException("'" + text + "' is longer than ten years");
            }
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 200ms, 5s, 1m, 1h30m, or a whole number of seconds)");
    }
}
