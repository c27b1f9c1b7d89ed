package org.cunicu4j.daemon.config;

/**
 * Shell-style globs for interface names, with the same meaning as the host gatherer's
 * {@code InterfaceFilter}: {@code *} any run of characters, {@code ?} one character,
 * {@code [abc]}, {@code [a-z]}, {@code [!abc]} one of (or none of) a set; everything else
 * literal. Stateless.
 */
final class Glob {
    private Glob() {}

    /** True when {@code pattern} has a glob character ({@code *}, {@code ?} or {@code [}). */
    static boolean isGlob(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
    }

    /** True when {@code pattern} matches all of {@code name}. */
    static boolean matches(String pattern, String name) {
        return match(pattern, 0, name, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                while (pi < p.length() && p.charAt(pi) == '*') {
                    pi++;
                }
                if (pi == p.length()) {
                    return true;
                }
                for (int k = si; k <= s.length(); k++) {
                    if (match(p, pi, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length()) {
                return false;
            }
            char x = s.charAt(si);
            if (c == '?') {
                pi++;
                si++;
            } else if (c == '[' && p.indexOf(']', pi + 2) >= 0) {
                int end = p.indexOf(']', pi + 2);
                int from = pi + 1;
                boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
                if (negate) {
                    from++;
                }
                boolean hit = false;
                for (int i = from; i < end; i++) {
                    char lo = p.charAt(i);
                    if (i + 2 < end && p.charAt(i + 1) == '-') {
                        char hi = p.charAt(i + 2);
                        hit |= x >= lo && x <= hi;
                        i += 2;
                    } else {
                        hit |= x == lo;
                    }
                }
                if (hit == negate) {
                    return false;
                }
                pi = end + 1;
                si++;
            } else {
                if (c != x) {
                    return false;
                }
                pi++;
                si++;
            }
        }
        return si == s.length();
    }
}
