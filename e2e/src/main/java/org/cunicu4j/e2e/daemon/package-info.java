/**
 * Support for the daemon's end-to-end tests and benchmarks: a view of
 * {@code cunicu4j status --json} per peer (read with testlab's
 * {@link org.cunicu4j.testlab.mesh.Json}) ({@link org.cunicu4j.e2e.daemon.StatusView}), and the timing helpers the
 * benchmarks share ({@link org.cunicu4j.e2e.daemon.Stats}). The scenarios themselves are
 * built by testlab's {@code MeshLab}.
 */
package org.cunicu4j.e2e.daemon;
