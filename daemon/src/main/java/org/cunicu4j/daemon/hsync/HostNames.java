package org.cunicu4j.daemon.hsync;

/**
 * Checks host names before they go into a hosts file: RFC 1123 labels (letters, digits,
 * hyphens, not starting or ending with a hyphen; underscores tolerated as many resolvers do),
 * 1 to 63 characters each, at most 253 in all. Names come from the network (a peer's
 * description), so anything else — whitespace, {@code #}, control characters, a newline that
 * would forge a line of its own — is refused. Stateless.
 */
final class HostNames {
    static final int MAX_LENGTH = 253;
    static final int MAX_LABEL = 63;

    private HostNames() {}

    /** True if {@code name} is a host name safe to write into a hosts file. */
    static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                if (!validLabel(name, labelStart, i)) {
                    return false;
                }
                labelStart = i + 1;
            }
        }
        return true;
    }

    private static boolean validLabel(String s, int from, int to) {
        int len = to - from;
        if (len < 1 || len > MAX_LABEL || s.charAt(from) == '-' || s.charAt(to - 1) == '-') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The domain suffix as configured ({@code "mesh"}, {@code ".mesh."}) without its dots, or
     * the empty string for none.
     *
     * @throws IllegalArgumentException naming the domain when it is not a valid name
     */
    static String domain(String domain) {
        if (domain == null) {
            return "";
        }
        String d = domain.strip();
        while (d.startsWith(".")) {
            d = d.substring(1);
        }
        while (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (!d.isEmpty() && !valid(d)) {
            throw new IllegalArgumentException("domain '" + domain + "' is not a valid DNS name (letters, digits, '-', "
                    + "labels of 1..63 characters separated by dots)");
        }
        return d;
    }
}
