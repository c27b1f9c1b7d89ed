/**
 * JMH micro-benchmarks of hot paths (run by hand through {@code org.openjdk.jmh.Main}, see
 * e2e/README.md): WireGuard's per-packet seal and open, with {@code -prof gc} for the
 * allocation per operation.
 */
package org.cunicu4j.e2e.bench.jmh;
