package org.cunicu4j.daemon.config;

import java.util.List;
import java.util.Locale;

/** "Did you mean ...?" for mistyped keys and variable names. Stateless. */
final class Suggest {
    private Suggest() {}

    /**
     * The candidate {@code word} was most likely meant to be: the same letters ignoring case,
     * {@code -} and {@code _} ({@code listenPort}, {@code listen-port}), or within a small edit
     * distance (1 for short words, 2 from six letters, 3 from twelve); null when none is close.
     */
    static String closest(String word, List<String> candidates) {
        String norm = normalize(word);
        for (String c : candidates) {
            if (normalize(c).equals(norm)) {
                return c;
            }
        }
        int limit = word.length() >= 12 ? 3 : word.length() >= 6 ? 2 : 1;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d <= limit && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein distance (insert, delete, substitute), bounded input sizes. */
    static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
