package org.cunicu4j.daemon.config;

/**
 * Where a configuration value came from: the source (file path, {@code environment variable
 * CUNICU_X} or {@code option -o k=v}), its 1-based line and column (0 when not from a file),
 * the dotted key path it was written under and whether it came from an override (where a
 * list may be written as one comma-separated string). Immutable.
 */
record Origin(String source, int line, int column, String path, boolean override) {

    /** A file position at the root. */
    static Origin file(String source, int line, int column) {
        return new Origin(source, line, column, "", false);
    }

    /** The root of an environment variable or {@code -o} option. */
    static Origin override(String source) {
        return new Origin(source, 0, 0, "", true);
    }

    Origin child(String key, int keyLine, int keyColumn) {
        return new Origin(source, keyLine, keyColumn, path.isEmpty() ? key : path + "." + key, override);
    }

    Origin child(String key) {
        return child(key, line, column);
    }

    Origin at(int newLine, int newColumn) {
        return new Origin(source, newLine, newColumn, path, override);
    }

    Origin withPath(String newPath) {
        return new Origin(source, line, column, newPath, override);
    }

    /** The last segment of {@link #path()}. */
    String key() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    ConfigException error(String problem) {
        return new ConfigException(source, line, column, path, problem);
    }

    ConfigException error(String problem, Throwable cause) {
        return new ConfigException(source, line, column, path, problem, cause);
    }
}
