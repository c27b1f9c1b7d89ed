package org.cunicu4j.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Compact human units for {@code status} and {@code monitor}: byte counts in IEC units
 * ({@code 512 B}, {@code 1.18 MiB}), ages ({@code 12s ago}, {@code 3m4s ago},
 * {@code 2h5m ago}, {@code 3d4h ago}) and round-trip times ({@code 12.3 ms}). Stateless.
 */
final class Units {
    private Units() {}

    private static final String[] IEC = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    /** {@code 0 B} .. {@code 1023 B}, then two decimals of the largest unit below 1024. */
    static String bytes(long b) {
        if (b < 0) {
            return Long.toUnsignedString(b) + " B"; // a 64-bit counter past 2^63: never seen in practice
        }
        if (b < 1024) {
            return b + " B";
        }
        double v = b / 1024.0;
        int k = 0;
        while (k < IEC.length - 1 && v >= 1024) {
            v /= 1024;
            k++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, IEC[k]);
    }

    /** How long before {@code now} {@code then} was: {@code "never"} for null, {@code "now"}, {@code "12s ago"}. */
    static String ago(Instant then, Instant now) {
        if (then == null) {
            return "never";
        }
        Duration d = Duration.between(then, now);
        if (d.isNegative()) {
            return "in the future (clock skew)";
        }
        if (d.getSeconds() == 0) {
            return "now";
        }
        return duration(d) + " ago";
    }

    /** Two most significant units: {@code 45s}, {@code 3m4s}, {@code 2h5m}, {@code 3d4h}. */
    static String duration(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d" + (s % 86400 / 3600) + "h";
    }

    /** A round-trip time in milliseconds with one decimal ({@code 0.4 ms}, {@code 12.3 ms}); {@code "-"} for null. */
    static String rtt(Duration rtt) {
        if (rtt == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f ms", rtt.toNanos() / 1e6);
    }

    /**
     * {@code s} with control characters (C0, DEL, C1) shown as {@code \xNN} and the line and
     * paragraph separators (U+2028/2029) and bidirectional controls (U+202A..202E,
     * U+2066..2069) as <code>&#92;uNNNN</code>, so that text from the network (an error, a peer's
     * name) cannot move the cursor, change colours or reorder what the terminal shows; null
     * stays null.
     */
    static String printable(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = needsEscape(c);
            if (control && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (control) {
                    sb.append(String.format(Locale.ROOT, c <= 0xff ? "\\x%02x" : "\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * True for what a terminal or a text viewer would act on rather than show: C0, DEL, C1,
     * U+2028/2029 and the bidirectional embeddings, overrides and isolates.
     */
    static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }
}
