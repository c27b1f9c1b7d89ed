/**
 * The daemon's YAML configuration, laid out like cunīcu's for the keys cunicu4j supports:
 * {@link org.cunicu4j.daemon.config.ConfigLoader} reads a file (or none), applies
 * {@code CUNICU_*} environment variables and {@code -o key=value} options over it and
 * validates everything into an immutable {@link org.cunicu4j.daemon.config.DaemonConfig};
 * {@link org.cunicu4j.daemon.config.DaemonConfig#interfaceConfig(String)} merges the
 * top-level interface defaults with every {@code interfaces:} glob that matches a name.
 * Every error is a {@link org.cunicu4j.daemon.config.ConfigException} naming the file (or
 * variable, or option), line and column, the key path and what was expected; secrets never
 * appear in {@code toString}.
 */
package org.cunicu4j.daemon.config;
