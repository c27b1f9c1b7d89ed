/**
 * Support for the daemon's end-to-end tests and benchmarks: a small JSON reader for
 * {@code cunicu4j status --json} ({@link org.cunicu4j.e2e.daemon.Json}), a view of that
 * status per peer ({@link org.cunicu4j.e2e.daemon.StatusView}), and the timing helpers the
 * benchmarks share ({@link org.cunicu4j.e2e.daemon.Stats}). The scenarios themselves are
 * built by testlab's {@code MeshLab}.
 */
package org.cunicu4j.e2e.daemon;
