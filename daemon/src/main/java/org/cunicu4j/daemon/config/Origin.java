package org.cunicu4j.daemon.config;

/**
 * Where a configuration value came from: the source (file path, {@code environment variable
 * CUNICU_X} or {@code option -o k=v}), its 1-based line and column (0 when not from a file)
 * and the dotted key path it was written under. Immutable.
 */
record Origin(String source, int line, int column, String path) {

    Origin child(String key, int keyLine, int keyColumn) {
        return new Origin(source, keyLine, keyColumn, path.isEmpty() ? key : path + "." + key);
    }

    Origin at(int newLine, int newColumn) {
        return new Origin(source, newLine, newColumn, path);
    }

    Origin withPath(String newPath) {
        return new Origin(source, line, column, newPath);
    }

    ConfigException error(String problem) {
        return new ConfigException(source, line, column, path, problem);
    }

    ConfigException error(String problem, Throwable cause) {
        return new ConfigException(source, line, column, path, problem, cause);
    }
}
