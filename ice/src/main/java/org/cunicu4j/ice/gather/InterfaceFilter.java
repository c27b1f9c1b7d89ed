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

    private final List<String> include;
    private final List<String> exclude;
    private final List<Pattern> includePatterns;
    private final List<Pattern> excludePatterns;

    public InterfaceFilter(List<String> include, List<String> exclude) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.includePatterns = this.include.stream().map(InterfaceFilter::glob).toList();
        this.excludePatterns = this.exclude.stream().map(InterfaceFilter::glob).toList();
    }

    public boolean accepts(String ifname) {
        if (excludePatterns.stream().anyMatch(p -> p.matcher(ifname).matches())) {
            return false;
        }
        return includePatterns.isEmpty() || includePatterns.stream().anyMatch(p -> p.matcher(ifname).matches());
    }

    /** Compiles a glob to an anchored regular expression. */
    static Pattern glob(String glob) {
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
                    re.append(negate ? "[^" : "[");
                    for (char s : set.toCharArray()) {
                        if ("\\[]^&".indexOf(s) >= 0) {
                            re.append('\\');
                        }
                        re.append(s);
                    }
                    re.append(']');
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public String toString() {
        return "InterfaceFilter[include=" + include + ", exclude=" + exclude + "]";
    }
}
