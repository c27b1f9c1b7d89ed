package org.cunicu4j.ice.gather;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which interfaces a {@link HostGatherer} uses, by name: included when {@code include} is
 * empty or one of its globs matches, and no glob of {@code exclude} matches (cunīcu's
 * {@code interfaces_include} / {@code interfaces_exclude}). Globs: {@code *} any run of
 * characters, {@code ?} one character, {@code [abc]} / {@code [a-z]} / {@code [!abc]} one
 * of a set; everything else literal. Immutable and thread-safe.
 */
public final class InterfaceFilter {
    /** Every interface. */
    public static final InterfaceFilter ALL = new InterfaceFilter(List.of(), List.of());
    /**
     * Every interface but WireGuard's by their usual names ({@code wg*}): a candidate over
     * the tunnel itself is useless (cunīcu excludes its own interfaces). The names are a
     * convention; a WireGuard interface named otherwise needs an explicit exclude.
     */
    public static final InterfaceFilter DEFAULT = new InterfaceFilter(List.of(), List.of("wg*"));

    private final List<String> include;
    private final List<String> exclude;
    private final List<Pattern> includePatterns;
    private final List<Pattern> excludePatterns;

    /** @throws IllegalArgumentException when a glob is not valid ({@link #compileGlob(String)}) */
    public InterfaceFilter(List<String> include, List<String> exclude) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.includePatterns = this.include.stream().map(InterfaceFilter::compileGlob).toList();
        this.excludePatterns = this.exclude.stream().map(InterfaceFilter::compileGlob).toList();
    }

    public boolean accepts(String ifname) {
        if (excludePatterns.stream().anyMatch(p -> p.matcher(ifname).matches())) {
            return false;
        }
        return includePatterns.isEmpty() || includePatterns.stream().anyMatch(p -> p.matcher(ifname).matches());
    }

    /**
     * Compiles one glob as {@code include} and {@code exclude} read it into an anchored pattern
     * (use {@code matcher(name).matches()}). Public so that other readers of interface globs
     * (the daemon's configuration) share this one reading. Stateless.
     *
     * @throws IllegalArgumentException naming the glob and the problem: a reversed range such
     *     as {@code [z-a]}, or a set that matches nothing ({@code [!]})
     */
    public static Pattern compileGlob(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                        break;
                    }
                    String set = glob.substring(i + 1, end);
                    boolean negate = set.startsWith("!") || set.startsWith("^");
                    if (negate) {
                        set = set.substring(1);
                    }
                    if (set.isEmpty()) {
                        throw new IllegalArgumentException("invalid glob \"" + glob + "\": the set [" + (negate ? "!" : "")
                                + "] is empty (a literal '[' or '!' must not open a set)");
                    }
                    re.append(negate ? "[^" : "[");
                    for (int k = 0; k < set.length(); k++) {
                        char lo = set.charAt(k);
                        if (k + 2 < set.length() && set.charAt(k + 1) == '-') {
                            char hi = set.charAt(k + 2);
                            if (lo > hi) {
                                throw new IllegalArgumentException("invalid glob \"" + glob + "\": the range " + lo + "-" + hi
                                        + " is reversed (write " + hi + "-" + lo + ")");
                            }
                            appendSetChar(re, lo);
                            re.append('-');
                            appendSetChar(re, hi);
                            k += 2;
                        } else {
                            appendSetChar(re, lo);
                        }
                    }
                    re.append(']');
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** A character inside a regex class, literal: every ASCII one but letters and digits escaped. */
    private static void appendSetChar(StringBuilder re, char c) {
        if (c < 128 && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
            re.append('\\');
        }
        re.append(c);
    }

    @Override
    public String toString() {
        return "InterfaceFilter[include=" + include + ", exclude=" + exclude + "]";
    }
}
