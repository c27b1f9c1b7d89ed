/**
 * Module {@code e2e}: End-to-end scenarios across namespaces and the benchmark harness.
 *
 * <p>Placeholder until its issue lands; see ARCHITECTURE.md.
 */
package org.cunicu4j.e2e;
