package org.cunicu4j.daemon.config;

import java.util.regex.Pattern;
import org.cunicu4j.ice.gather.InterfaceFilter;

/**
 * Interface-name globs in the configuration ({@code interfaces:} keys, {@code interfaces_include},
 * {@code interfaces_exclude}), read exactly as the host gatherer reads them: this delegates to
 * {@link InterfaceFilter#compileGlob(String)} ({@code *}, {@code ?}, {@code [abc]},
 * {@code [a-z]}, {@code [!abc]}; everything else literal). Stateless.
 */
final class Glob {
    private Glob() {}

    /** True when {@code pattern} has a glob character ({@code *}, {@code ?} or {@code [}). */
    static boolean isGlob(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
    }

    /**
     * {@code pattern} compiled (anchored: use {@code matcher(name).matches()}).
     *
     * @throws IllegalArgumentException naming the problem, e.g. a reversed range {@code [z-a]}
     */
    static Pattern compile(String pattern) {
        return InterfaceFilter.compileGlob(pattern);
    }

    /** True when {@code pattern} matches all of {@code name}. */
    static boolean matches(String pattern, String name) {
        return compile(pattern).matcher(name).matches();
    }
}
