package org.cunicu4j.daemon.config;

/**
 * A configuration that cannot be used: names where ({@link #source()}: the file, the
 * environment variable or the {@code -o} option; with {@link #line()}:{@link #column()} when
 * known), which key ({@link #keyPath()}, dotted, e.g. {@code interfaces.wg0.peers.bob.public_key})
 * and what is wrong ({@link #problem()}). The message is
 * {@code SOURCE[:LINE:COLUMN]: KEY: PROBLEM}. Never contains a secret value. Immutable.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String keyPath;
    private final String problem;

    /**
     * @param source the file path, {@code environment variable CUNICU_X} or {@code option -o k=v}
     * @param line 1-based, or 0 when unknown
     * @param column 1-based, or 0 when unknown
     * @param keyPath the dotted key path, or null/empty when the problem is not about one key
     * @param problem what is wrong and what was expected
     */
    public ConfigException(String source, int line, int column, String keyPath, String problem) {
        this(source, line, column, keyPath, problem, null);
    }

    public ConfigException(String source, int line, int column, String keyPath, String problem, Throwable cause) {
        super(format(source, line, column, keyPath, problem), cause);
        this.source = source;
        this.line = line;
        this.column = column;
        this.keyPath = keyPath == null ? "" : keyPath;
        this.problem = problem;
    }

    private static String format(String source, int line, int column, String keyPath, String problem) {
        StringBuilder sb = new StringBuilder(source == null ? "configuration" : source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (keyPath != null && !keyPath.isEmpty()) {
            sb.append(keyPath).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** The file path, {@code environment variable CUNICU_X} or {@code option -o k=v}. */
    public String source() {
        return source;
    }

    /** 1-based line, 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column, 0 when unknown. */
    public int column() {
        return column;
    }

    /** The dotted key path; empty when the problem is not about one key. */
    public String keyPath() {
        return keyPath;
    }

    /** What is wrong and what was expected. */
    public String problem() {
        return problem;
    }
}
