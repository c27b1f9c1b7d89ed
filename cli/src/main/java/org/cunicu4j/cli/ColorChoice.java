package org.cunicu4j.cli;

import java.util.Locale;
import java.util.Map;

/**
 * {@code --color auto|always|never}: {@code auto} colours only when standard output is a
 * terminal and {@code NO_COLOR} is unset or empty (https://no-color.org); an explicit
 * {@code always} or {@code never} wins over both, as that convention asks of command-line
 * arguments. Stateless.
 */
enum ColorChoice {
    AUTO, ALWAYS, NEVER;

    /** Parses {@code auto}, {@code always}, {@code never} (any case). */
    static ColorChoice parse(String s) {
        for (ColorChoice c : values()) {
            if (c.name().equalsIgnoreCase(s)) {
                return c;
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not a colour mode (auto, always or never)");
    }

    /** Whether to colour, given the environment and whether standard output is a terminal. */
    boolean enabled(Map<String, String> env, boolean terminal) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> terminal && (env.get("NO_COLOR") == null || env.get("NO_COLOR").isEmpty());
        };
    }

    /** True when the process's standard output is a terminal. */
    static boolean stdoutIsTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
