/**
 * Benchmarks that are run by hand (runnable mains, not timed unit tests); each prints its
 * figures and the parameters they were measured with. See e2e/README.md for the commands.
 */
package org.cunicu4j.e2e.bench;
